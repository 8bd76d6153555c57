// Multi-scale deformable attention on the CPU, forward and backward.
//
// The same computation as MMCV's `multi_scale_deformable_attn_pytorch`
// (Deformable DETR, Zhu et al. 2021), without its per-level copies of the
// value and its stacked per-level `grid_sample` outputs: every output row is
// accumulated in place from the four bilinear corners of each sampling point.
//
// Shapes (all tensors contiguous, float or double):
//   value              (B, N, H, D)   the levels' tokens, level after level,
//                                     each row-major (h_l, w_l)
//   spatial_shapes     (L, 2) int64   (h_l, w_l)
//   level_start_index  (L,)   int64   first token of each level in N
//   sampling_locations (B, Q, H, L, P, 2)  (x, y), 0..1 spans the map
//   attention_weights  (B, Q, H, L, P)
//   output             (B, Q, H * D)
//
// Coordinates follow grid_sample(align_corners=False, padding_mode='zeros'):
// pixel i spans [i, i + 1) of a level's w_l, so x in [0, 1] maps to
// x * w_l - 0.5 in pixel centres, and corners outside the map read zero.
#include <torch/extension.h>

#include <ATen/Parallel.h>

#include <cmath>
#include <type_traits>
#include <vector>

namespace {

// The four bilinear corners of one sampling point on one level.
template <typename scalar_t>
struct Corners {
  int64_t row[4];       // token index within the level, -1 if outside
  scalar_t weight[4];   // bilinear weight of each corner
  scalar_t dweight_dx[4];  // d weight / d x (pixel units)
  scalar_t dweight_dy[4];

  Corners(scalar_t x, scalar_t y, int64_t h, int64_t w) {
    const scalar_t px = x * w - scalar_t(0.5);
    const scalar_t py = y * h - scalar_t(0.5);
    const scalar_t fx0 = std::floor(px);
    const scalar_t fy0 = std::floor(py);
    const scalar_t fx = px - fx0;
    const scalar_t fy = py - fy0;
    const int64_t x0 = static_cast<int64_t>(fx0);
    const int64_t y0 = static_cast<int64_t>(fy0);
    const int64_t xs[4] = {x0, x0 + 1, x0, x0 + 1};
    const int64_t ys[4] = {y0, y0, y0 + 1, y0 + 1};
    const scalar_t wx[4] = {1 - fx, fx, 1 - fx, fx};
    const scalar_t wy[4] = {1 - fy, 1 - fy, fy, fy};
    const scalar_t dwx[4] = {-1, 1, -1, 1};
    const scalar_t dwy[4] = {-1, -1, 1, 1};
    for (int c = 0; c < 4; ++c) {
      const bool inside = xs[c] >= 0 && xs[c] < w && ys[c] >= 0 && ys[c] < h;
      row[c] = inside ? ys[c] * w + xs[c] : -1;
      weight[c] = wx[c] * wy[c];
      dweight_dx[c] = dwx[c] * wy[c];
      dweight_dy[c] = wx[c] * dwy[c];
    }
  }
};

void check_inputs(const at::Tensor& value, const at::Tensor& spatial_shapes,
                  const at::Tensor& level_start_index,
                  const at::Tensor& sampling_locations,
                  const at::Tensor& attention_weights) {
  TORCH_CHECK(value.device().is_cpu(), "value must be a CPU tensor");
  TORCH_CHECK(value.dim() == 4, "value must be (B, N, H, D)");
  TORCH_CHECK(sampling_locations.dim() == 6 &&
                  sampling_locations.size(5) == 2,
              "sampling_locations must be (B, Q, H, L, P, 2)");
  TORCH_CHECK(attention_weights.dim() == 5,
              "attention_weights must be (B, Q, H, L, P)");
  TORCH_CHECK(spatial_shapes.scalar_type() == at::kLong &&
                  level_start_index.scalar_type() == at::kLong,
              "spatial_shapes and level_start_index must be int64");
  TORCH_CHECK(value.scalar_type() == sampling_locations.scalar_type() &&
                  value.scalar_type() == attention_weights.scalar_type(),
              "value, sampling_locations and attention_weights must share "
              "one dtype");
  TORCH_CHECK(value.is_contiguous() && sampling_locations.is_contiguous() &&
                  attention_weights.is_contiguous(),
              "inputs must be contiguous");
}

}  // namespace

// One (b, q, h) row of the forward: out[0:D] = sum over the L x P points
// and their four corners of attention x bilinear weight x value row.
// kD > 0 fixes the head dimension at compile time, so that the inner loops
// have a constant trip count and vectorize; kD == 0 takes D at run time.
template <typename scalar_t, int kD>
inline void forward_row(const scalar_t* __restrict__ val,
                        const scalar_t* __restrict__ xy,
                        const scalar_t* __restrict__ a,
                        scalar_t* __restrict__ out, const int64_t* hw,
                        const int64_t* start, int64_t b, int64_t h,
                        int64_t N, int64_t H, int64_t L, int64_t P,
                        int64_t D_runtime) {
  const int64_t D = kD > 0 ? kD : D_runtime;
  for (int64_t d = 0; d < D; ++d) out[d] = 0;
  for (int64_t l = 0; l < L; ++l) {
    const int64_t hl = hw[2 * l], wl = hw[2 * l + 1];
    const scalar_t* level = val + ((b * N + start[l]) * H + h) * D;
    for (int64_t p = 0; p < P; ++p) {
      const int64_t lp = l * P + p;
      const Corners<scalar_t> c(xy[2 * lp], xy[2 * lp + 1], hl, wl);
      for (int k = 0; k < 4; ++k) {
        if (c.row[k] < 0) continue;
        const scalar_t wgt = a[lp] * c.weight[k];
        const scalar_t* __restrict__ v = level + c.row[k] * H * D;
#pragma omp simd
        for (int64_t d = 0; d < D; ++d) out[d] += wgt * v[d];
      }
    }
  }
}

template <typename scalar_t, int kD>
void forward_rows(const scalar_t* val, const scalar_t* loc,
                  const scalar_t* attn, scalar_t* out, const int64_t* hw,
                  const int64_t* start, int64_t B, int64_t N, int64_t Q,
                  int64_t H, int64_t L, int64_t P, int64_t D) {
  // one task per (b, q, h): each writes its own D outputs
  at::parallel_for(0, B * Q * H, 16, [&](int64_t begin, int64_t end) {
    for (int64_t bqh = begin; bqh < end; ++bqh) {
      forward_row<scalar_t, kD>(val, loc + bqh * L * P * 2,
                                attn + bqh * L * P, out + bqh * D, hw, start,
                                bqh / (Q * H), bqh % H, N, H, L, P, D);
    }
  });
}

// One (b, q, h) row of the backward: the gradients of its L x P locations
// and weights, and its share of grad_value (rows of head h of batch b).
template <typename scalar_t, int kD>
inline void backward_row(const scalar_t* __restrict__ val,
                         const scalar_t* __restrict__ g,
                         const scalar_t* __restrict__ xy,
                         const scalar_t* __restrict__ a,
                         scalar_t* __restrict__ gv,
                         scalar_t* __restrict__ gl_q,
                         scalar_t* __restrict__ ga_q, const int64_t* hw,
                         const int64_t* start, int64_t b, int64_t h,
                         int64_t N, int64_t H, int64_t L, int64_t P,
                         int64_t D_runtime) {
  const int64_t D = kD > 0 ? kD : D_runtime;
  for (int64_t l = 0; l < L; ++l) {
    const int64_t hl = hw[2 * l], wl = hw[2 * l + 1];
    const int64_t level = ((b * N + start[l]) * H + h) * D;
    for (int64_t p = 0; p < P; ++p) {
      const int64_t lp = l * P + p;
      const Corners<scalar_t> c(xy[2 * lp], xy[2 * lp + 1], hl, wl);
      scalar_t sampled_dot = 0;  // <grad, bilinear sample>
      scalar_t dx_dot = 0, dy_dot = 0;  // <grad, d sample / d px,py>
      for (int k = 0; k < 4; ++k) {
        if (c.row[k] < 0) continue;
        const int64_t row = level + c.row[k] * H * D;
        const scalar_t* __restrict__ v = val + row;
        scalar_t* __restrict__ gvr = gv + row;
        const scalar_t wgt = a[lp] * c.weight[k];
        scalar_t dot = 0;
#pragma omp simd reduction(+ : dot)
        for (int64_t d = 0; d < D; ++d) {
          dot += g[d] * v[d];
          gvr[d] += wgt * g[d];
        }
        sampled_dot += c.weight[k] * dot;
        dx_dot += c.dweight_dx[k] * dot;
        dy_dot += c.dweight_dy[k] * dot;
      }
      ga_q[lp] = sampled_dot;
      // px = x * w_l - 0.5, so d/dx = w_l * d/dpx
      gl_q[2 * lp] = a[lp] * dx_dot * wl;
      gl_q[2 * lp + 1] = a[lp] * dy_dot * hl;
    }
  }
}

template <typename scalar_t, int kD>
void backward_rows(const scalar_t* val, const scalar_t* loc,
                   const scalar_t* attn, const scalar_t* go, scalar_t* gv,
                   scalar_t* gl, scalar_t* ga, const int64_t* hw,
                   const int64_t* start, int64_t B, int64_t N, int64_t Q,
                   int64_t H, int64_t L, int64_t P, int64_t D) {
  // One task per (b, h): the value rows a task scatters into,
  // (b, :, h, :), belong to no other task, so no two threads add to the
  // same element of grad_value.
  at::parallel_for(0, B * H, 1, [&](int64_t begin, int64_t end) {
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / H, h = bh % H;
      for (int64_t q = 0; q < Q; ++q) {
        const int64_t bqh = (b * Q + q) * H + h;
        backward_row<scalar_t, kD>(val, go + bqh * D, loc + bqh * L * P * 2,
                                   attn + bqh * L * P, gv,
                                   gl + bqh * L * P * 2, ga + bqh * L * P, hw,
                                   start, b, h, N, H, L, P, D);
      }
    }
  });
}

// Calls fn.template operator()<kD>() with kD = D for the head widths that
// have a compiled-in loop length (TFPose's 16 and 32, Deformable DETR's 32,
// 64), kD = 0 (run-time length) otherwise.
template <typename Fn>
void dispatch_head_dim(int64_t D, Fn&& fn) {
  switch (D) {
    case 16: fn(std::integral_constant<int, 16>()); break;
    case 32: fn(std::integral_constant<int, 32>()); break;
    case 64: fn(std::integral_constant<int, 64>()); break;
    default: fn(std::integral_constant<int, 0>()); break;
  }
}

at::Tensor ms_deform_attn_forward(const at::Tensor& value,
                                  const at::Tensor& spatial_shapes,
                                  const at::Tensor& level_start_index,
                                  const at::Tensor& sampling_locations,
                                  const at::Tensor& attention_weights) {
  check_inputs(value, spatial_shapes, level_start_index, sampling_locations,
               attention_weights);
  const int64_t B = value.size(0), N = value.size(1), H = value.size(2),
                D = value.size(3);
  const int64_t Q = sampling_locations.size(1),
                L = sampling_locations.size(3),
                P = sampling_locations.size(4);
  // every element is written by its row's task
  auto output = at::empty({B, Q, H * D}, value.options());
  const auto shapes = spatial_shapes.contiguous();
  const auto starts = level_start_index.contiguous();
  const int64_t* hw = shapes.data_ptr<int64_t>();
  const int64_t* start = starts.data_ptr<int64_t>();

  AT_DISPATCH_FLOATING_TYPES(value.scalar_type(), "ms_deform_attn_forward", [&] {
    dispatch_head_dim(D, [&](auto kD) {
      forward_rows<scalar_t, decltype(kD)::value>(
          value.data_ptr<scalar_t>(), sampling_locations.data_ptr<scalar_t>(),
          attention_weights.data_ptr<scalar_t>(), output.data_ptr<scalar_t>(),
          hw, start, B, N, Q, H, L, P, D);
    });
  });
  return output;
}

std::vector<at::Tensor> ms_deform_attn_backward(
    const at::Tensor& value, const at::Tensor& spatial_shapes,
    const at::Tensor& level_start_index, const at::Tensor& sampling_locations,
    const at::Tensor& attention_weights, const at::Tensor& grad_output) {
  check_inputs(value, spatial_shapes, level_start_index, sampling_locations,
               attention_weights);
  const auto grad_out = grad_output.contiguous();
  const int64_t B = value.size(0), N = value.size(1), H = value.size(2),
                D = value.size(3);
  const int64_t Q = sampling_locations.size(1),
                L = sampling_locations.size(3),
                P = sampling_locations.size(4);
  auto grad_value = at::zeros_like(value);
  auto grad_loc = at::zeros_like(sampling_locations);
  auto grad_attn = at::zeros_like(attention_weights);
  const auto shapes = spatial_shapes.contiguous();
  const auto starts = level_start_index.contiguous();
  const int64_t* hw = shapes.data_ptr<int64_t>();
  const int64_t* start = starts.data_ptr<int64_t>();

  AT_DISPATCH_FLOATING_TYPES(value.scalar_type(), "ms_deform_attn_backward", [&] {
    dispatch_head_dim(D, [&](auto kD) {
      backward_rows<scalar_t, decltype(kD)::value>(
          value.data_ptr<scalar_t>(), sampling_locations.data_ptr<scalar_t>(),
          attention_weights.data_ptr<scalar_t>(), grad_out.data_ptr<scalar_t>(),
          grad_value.data_ptr<scalar_t>(), grad_loc.data_ptr<scalar_t>(),
          grad_attn.data_ptr<scalar_t>(), hw, start, B, N, Q, H, L, P, D);
    });
  });
  return {grad_value, grad_loc, grad_attn};
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("forward", &ms_deform_attn_forward,
        "multi-scale deformable attention forward (CPU)");
  m.def("backward", &ms_deform_attn_backward,
        "multi-scale deformable attention backward (CPU)");
}
