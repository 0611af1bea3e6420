#include "pixel_kernels.h"

#if defined(__x86_64__) && defined(__clang__)
#define PK_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define PK_MULTIVERSION
#endif

// Compare-selects in the operand order of x86 max/min, so each is one instruction; NaN → lo.
static inline float clampf(float v, float lo, float hi) {
    v = v > lo ? v : lo;
    return v < hi ? v : hi;
}

static inline uint8_t to_byte(float v) { return (uint8_t)(int)(clampf(v, 0.f, 255.f) + 0.5f); }

PK_MULTIVERSION
void pk_yuv420_to_rgb(const uint8_t *y, ptrdiff_t y_stride, const uint8_t *u, ptrdiff_t u_stride,
                      const uint8_t *v, ptrdiff_t v_stride, int width, int height,
                      float kr, float kb, int full_range, float *rgb, float *scratch) {
    const float kg = 1.f - kr - kb;
    const float ys = full_range ? 1.f / 255.f : 1.f / 219.f;
    const float yo = full_range ? 0.f : 16.f;
    const float cs = full_range ? 1.f / 255.f : 1.f / 224.f;
    const float cr_r = 2.f * (1.f - kr) * cs, cb_b = 2.f * (1.f - kb) * cs;
    const float cb_g = -2.f * (1.f - kb) * kb / kg * cs, cr_g = -2.f * (1.f - kr) * kr / kg * cs;
    const size_t plane = (size_t)width * (size_t)height;
    float *restrict dr = scratch, *restrict dg = scratch + width, *restrict db = scratch + 2 * width;
    for (int row = 0; row < height; row++) {
        if ((row & 1) == 0) {
            // Offsets of this chroma row, one per pixel column.
            const uint8_t *ur = u + (row / 2) * u_stride, *vr = v + (row / 2) * v_stride;
            for (int x = 0; x < width; x++) {
                float cb = (float)ur[x >> 1] - 128.f, cr = (float)vr[x >> 1] - 128.f;
                dr[x] = cr_r * cr;
                dg[x] = cb_g * cb + cr_g * cr;
                db[x] = cb_b * cb;
            }
        }
        const uint8_t *restrict yr = y + row * y_stride;
        float *restrict r = rgb + (size_t)row * width, *restrict g = r + plane, *restrict b = g + plane;
        for (int x = 0; x < width; x++) {
            float l = ((float)yr[x] - yo) * ys;
            r[x] = clampf(l + dr[x], 0.f, 1.f);
            g[x] = clampf(l + dg[x], 0.f, 1.f);
            b[x] = clampf(l + db[x], 0.f, 1.f);
        }
    }
}

PK_MULTIVERSION
void pk_rgb_to_yuv420(const float *rgb, int width, int height, float kr, float kb, int full_range,
                      uint8_t *y, ptrdiff_t y_stride, uint8_t *u, ptrdiff_t u_stride,
                      uint8_t *v, ptrdiff_t v_stride) {
    const float kg = 1.f - kr - kb;
    const float y_scale = full_range ? 255.f : 219.f, y_off = full_range ? 0.f : 16.f;
    const float c_scale = full_range ? 255.f : 224.f;
    const float wr = kr * y_scale, wg = kg * y_scale, wb = kb * y_scale;
    // Cb = (B − Y')/(2(1−Kb)), Cr = (R − Y')/(2(1−Kr)), as RGB weights; 0.25 folds in the 2×2 mean.
    const float cb_r = -kr / (2.f * (1.f - kb)) * c_scale * .25f, cb_g = -kg / (2.f * (1.f - kb)) * c_scale * .25f;
    const float cb_b = .5f * c_scale * .25f, cr_r = .5f * c_scale * .25f;
    const float cr_g = -kg / (2.f * (1.f - kr)) * c_scale * .25f, cr_b = -kb / (2.f * (1.f - kr)) * c_scale * .25f;
    const size_t plane = (size_t)width * (size_t)height;
    const int half = width / 2;
    for (int cy = 0; cy < (height + 1) / 2; cy++) {
        const int row0 = 2 * cy, row1 = row0 + 1 < height ? row0 + 1 : row0;
        // Luma of both rows, then their chroma while the rows are in cache.
        for (int row = row0; row < row0 + 2 && row < height; row++) {
            const float *restrict r = rgb + (size_t)row * width, *restrict g = r + plane, *restrict b = g + plane;
            uint8_t *restrict yr = y + row * y_stride;
            for (int x = 0; x < width; x++)
                yr[x] = to_byte(wr * clampf(r[x], 0.f, 1.f) + wg * clampf(g[x], 0.f, 1.f) + wb * clampf(b[x], 0.f, 1.f) + y_off);
        }
        const float *r0 = rgb + (size_t)row0 * width, *r1 = rgb + (size_t)row1 * width;
        const float *g0 = r0 + plane, *g1 = r1 + plane, *b0 = g0 + plane, *b1 = g1 + plane;
        uint8_t *restrict ur = u + cy * u_stride, *restrict vr = v + cy * v_stride;
        for (int cx = 0; cx < half; cx++) {
            const int x0 = 2 * cx, x1 = x0 + 1;
            float sr = clampf(r0[x0], 0.f, 1.f) + clampf(r0[x1], 0.f, 1.f) + clampf(r1[x0], 0.f, 1.f) + clampf(r1[x1], 0.f, 1.f);
            float sg = clampf(g0[x0], 0.f, 1.f) + clampf(g0[x1], 0.f, 1.f) + clampf(g1[x0], 0.f, 1.f) + clampf(g1[x1], 0.f, 1.f);
            float sb = clampf(b0[x0], 0.f, 1.f) + clampf(b0[x1], 0.f, 1.f) + clampf(b1[x0], 0.f, 1.f) + clampf(b1[x1], 0.f, 1.f);
            ur[cx] = to_byte(cb_r * sr + cb_g * sg + cb_b * sb + 128.f);
            vr[cx] = to_byte(cr_r * sr + cr_g * sg + cr_b * sb + 128.f);
        }
        if (width & 1) {  // last column: its block is one pixel wide, counted twice
            const int x = width - 1;
            float sr = 2.f * (clampf(r0[x], 0.f, 1.f) + clampf(r1[x], 0.f, 1.f));
            float sg = 2.f * (clampf(g0[x], 0.f, 1.f) + clampf(g1[x], 0.f, 1.f));
            float sb = 2.f * (clampf(b0[x], 0.f, 1.f) + clampf(b1[x], 0.f, 1.f));
            ur[half] = to_byte(cb_r * sr + cb_g * sg + cb_b * sb + 128.f);
            vr[half] = to_byte(cr_r * sr + cr_g * sg + cr_b * sb + 128.f);
        }
    }
}
