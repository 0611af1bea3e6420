// FFmpeg 5.1 headers, plus inline wrappers for the macros Swift cannot import.
#include <libavformat/avformat.h>
#include <libavformat/avio.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/samplefmt.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/error.h>
#include <libavutil/pixdesc.h>
#include <libavutil/display.h>
#include <errno.h>

static inline int cffmpeg_averror(int e) { return AVERROR(e); }
static inline int cffmpeg_averror_eof(void) { return AVERROR_EOF; }
static inline int cffmpeg_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int cffmpeg_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int cffmpeg_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int cffmpeg_averror_exit(void) { return AVERROR_EXIT; }
static inline int64_t cffmpeg_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline int cffmpeg_time_base(void) { return AV_TIME_BASE; }
static inline int cffmpeg_ef_explode(void) { return AV_EF_EXPLODE; }
static inline int cffmpeg_fmt_nofile(void) { return AVFMT_NOFILE; }
static inline int cffmpeg_fmt_globalheader(void) { return AVFMT_GLOBALHEADER; }
/// Muxers without either flag (AVI, YUV4MPEG) store a constant frame rate, read from the stream's time base.
static inline int cffmpeg_fmt_variable_fps(void) { return AVFMT_VARIABLE_FPS; }
static inline int cffmpeg_fmt_notimestamps(void) { return AVFMT_NOTIMESTAMPS; }
static inline int cffmpeg_codec_flag_global_header(void) { return AV_CODEC_FLAG_GLOBAL_HEADER; }
/// Audio encoders: may the last frame be short, or may every frame have any size?
static inline int cffmpeg_codec_cap_small_last_frame(void) { return AV_CODEC_CAP_SMALL_LAST_FRAME; }
static inline int cffmpeg_codec_cap_variable_frame_size(void) { return AV_CODEC_CAP_VARIABLE_FRAME_SIZE; }

/// An audio frame's planes into / out of a sample FIFO (the `void **` casts Swift cannot spell).
static inline int cffmpeg_audio_fifo_write_frame(AVAudioFifo *fifo, const AVFrame *f) {
    return av_audio_fifo_write(fifo, (void **)f->extended_data, f->nb_samples);
}
static inline int cffmpeg_audio_fifo_read_frame(AVAudioFifo *fifo, AVFrame *f, int samples) {
    return av_audio_fifo_read(fifo, (void **)f->extended_data, samples);
}
/// Fills samples [offset, nb_samples) of a frame with silence (pads a short last frame).
static inline int cffmpeg_frame_silence_tail(AVFrame *f, int offset) {
    return av_samples_set_silence(f->extended_data, offset, f->nb_samples - offset,
                                  f->ch_layout.nb_channels, (enum AVSampleFormat)f->format);
}

/// av_err2str is a macro around a compound literal; this writes the message into `buf`.
static inline const char *cffmpeg_err2str(int err, char *buf, size_t size) {
    av_strerror(err, buf, size);
    return buf;
}

/// Plane pointer `i` of a frame (the `data` array is a fixed-size C array, a tuple in Swift).
static inline uint8_t *cffmpeg_frame_data(const AVFrame *f, int i) { return f->data[i]; }
static inline int cffmpeg_frame_linesize(const AVFrame *f, int i) { return f->linesize[i]; }

/// sws_scale between a frame and caller-provided planes (three planes, as for GBRP/GBRPF32).
static inline int cffmpeg_sws_frame_to_planes(struct SwsContext *c, const AVFrame *src,
                                              uint8_t *p0, uint8_t *p1, uint8_t *p2, int stride) {
    uint8_t *dst[4] = { p0, p1, p2, NULL };
    int dstStride[4] = { stride, stride, stride, 0 };
    return sws_scale(c, (const uint8_t *const *)src->data, src->linesize, 0, src->height, dst, dstStride);
}
static inline int cffmpeg_sws_planes_to_frame(struct SwsContext *c, const uint8_t *p0, const uint8_t *p1,
                                              const uint8_t *p2, int stride, int height, AVFrame *dst) {
    const uint8_t *src[4] = { p0, p1, p2, NULL };
    int srcStride[4] = { stride, stride, stride, 0 };
    return sws_scale(c, src, srcStride, 0, height, dst->data, dst->linesize);
}
static inline int cffmpeg_sws_frame_to_frame(struct SwsContext *c, const AVFrame *src, AVFrame *dst) {
    return sws_scale(c, (const uint8_t *const *)src->data, src->linesize, 0, src->height, dst->data, dst->linesize);
}
