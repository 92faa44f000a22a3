// The C ABI of nmfkit as data: struct sizes, field offsets, statuses and enum names.
// Generated from the C definition on the ABI branch; this copy is written by hand from nmfkit.h.
export const VERSION = '0.2.0';
export const OPTIONS_BYTES = 88; export const RESULT_BYTES = 56;
export const OPTION_FIELDS = [['rank', 0, 'u64'], ['max_iter', 8, 'u32'], ['check_every', 12, 'u32'], ['tol', 16, 'f64'],
  ['epsilon', 24, 'f64'], ['seed', 32, 'u64'], ['init', 40, 'i32'], ['kernel', 44, 'i32'], ['beta', 48, 'f64'],
  ['alpha_w', 56, 'f64'], ['alpha_h', 64, 'f64'], ['l1_ratio', 72, 'f64'], ['solver', 80, 'i32'], ['reserved', 84, 'i32']];
export const RESULT_FIELDS = [['iterations', 0, 'u32'], ['converged', 4, 'i32'], ['loss', 8, 'f64'],
  ['relative_error', 16, 'f64'], ['bad_matrix', 24, 'i32'], ['done', 28, 'i32'], ['bad_row', 32, 'u64'],
  ['bad_col', 40, 'u64'], ['objective', 48, 'f64']];
export const STATUS_NAMES = ['ok', 'null_pointer', 'empty_dimension', 'zero_rank', 'shape_mismatch', 'stride_too_small',
  'size_overflow', 'workspace_too_small', 'workspace_misaligned', 'x_not_finite', 'x_negative', 'init_not_finite',
  'init_negative', 'invalid_init', 'invalid_tol', 'invalid_epsilon', 'invalid_check_every', 'invalid_kernel',
  'not_started', 'cancelled', 'buffers_overlap', 'x_not_positive', 'invalid_beta', 'invalid_alpha', 'invalid_l1_ratio',
  'invalid_solver', 'rank_too_large', 'transform_shape_mismatch', 'not_built'];
export const ENUMS = { init: { random: 0, custom: 1, nndsvd: 2, nndsvda: 3, nndsvdar: 4 }, solver: { mu: 0, amu: 1 },
  kernel: { auto: 0, scalar: 1 }, matrix: { none: 0, X: 1, W: 2, H: 3 },
  loss: { frobenius: 2, 'kullback-leibler': 1, 'itakura-saito': 0 } };
