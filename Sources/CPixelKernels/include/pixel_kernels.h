// Hot per-pixel loops of the Stream module in C, where the compiler vectorises them fully
// (and, through target_clones, uses AVX2 when the CPU has it, picked at load time).
#ifndef PIXEL_KERNELS_H
#define PIXEL_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// 8-bit YUV 4:2:0 → three float planes R, G, B (each width × height, clamped to [0, 1]).
/// Chroma is replicated over its 2×2 block. `scratch` holds 3 × width floats.
void pk_yuv420_to_rgb(const uint8_t *y, ptrdiff_t y_stride, const uint8_t *u, ptrdiff_t u_stride,
                      const uint8_t *v, ptrdiff_t v_stride, int width, int height,
                      float kr, float kb, int full_range, float *rgb, float *scratch);

/// Three float planes R, G, B → 8-bit YUV 4:2:0 (inputs clamped to [0, 1], NaN → 0; chroma = 2×2 mean).
void pk_rgb_to_yuv420(const float *rgb, int width, int height, float kr, float kb, int full_range,
                      uint8_t *y, ptrdiff_t y_stride, uint8_t *u, ptrdiff_t u_stride,
                      uint8_t *v, ptrdiff_t v_stride);

#endif
