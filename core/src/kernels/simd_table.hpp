// The kernel_table of an xsimd arch, and NMFKIT_DEFINE_SIMD_TABLES, which a per-ISA
// translation unit (simd_*.cpp) expands once to define its table functions.
#pragma once

#include "kernels/beta_tiles.hpp"
#include "kernels/elementwise.hpp"
#include "kernels/gemm_simd.hpp"
#include "kernels/hals.hpp"
#include "kernels/sparse.hpp"
#include "beta.hpp"

namespace nmfkit {
namespace detail {
namespace {

// Regs: number of architectural vector registers (16 or 32); sets the GEMM tile sizes.
template <class T, class Arch, int Regs>
struct simd_kernels {
    using G = simd_gemm<T, Arch, Regs>;
    using E = elementwise<T, Arch>;
    using V = beta_kernels<T, Arch>;
    using S = sparse_kernels<T, Arch>;

    // The loss runs in double lanes; 32-bit NEON has none: its float set uses the scalar loss
    // (it runs only on convergence checks). So does wasm, for size (the vector loss is ~12 KB
    // of nmfkit-simd.wasm). Named only where it compiles.
    static constexpr decltype(kernel_table<T>::beta_loss_tile) loss_tile() noexcept {
        if constexpr (has_double_lanes<Arch> && !k_wasm_simd) {
            return &V::beta_loss_tile;
        } else {
            return &beta_loss_tile_scalar<T>;
        }
    }

    // HALS exists only in the extended cores (the Frobenius-only ones leave it out).
    static constexpr decltype(kernel_table<T>::hals_rows) hals() noexcept {
        if constexpr (k_extended) {
            return &hals_kernels<T, Arch>::hals_rows;
        } else {
            return nullptr;
        }
    }

    static constexpr kernel_table<T> table(const char* name) noexcept {
        return kernel_table<T>{name,
                               &G::gemm_nt,
                               &G::gemm_tn,
                               &G::gemm_nn,
                               &E::mu_update,
                               &V::beta_tile,
                               loss_tile(),
                               &V::vmath,
                               &G::gemm_tn_acc,
                               &E::factor_update,
                               &S::csr_times_dense,
                               &S::csr_t_times_dense,
                               &S::sampled_dot,
                               &S::sampled_ratio,
                               hals()};
    }
};

// A double set where the architecture has double lanes (not on 32-bit NEON: there
// double uses the scalar set).
template <class Arch, int Regs, class Name>
const kernel_table<double>* simd_double_table() noexcept {
    if constexpr (has_double_lanes<Arch>) {
        static constexpr kernel_table<double> t = simd_kernels<double, Arch, Regs>::table(Name::get());
        return &t;
    } else {
        return nullptr;
    }
}

}  // namespace
}  // namespace detail
}  // namespace nmfkit

// Defines `const kernel_table<T>* FN_<float|double>() noexcept` (external linkage,
// unique per ISA TU) returning the tables for ARCH.
#define NMFKIT_DEFINE_SIMD_TABLES(FN, ARCH, REGS, NAME)                                                       \
    namespace nmfkit {                                                                                        \
    namespace detail {                                                                                        \
    const kernel_table<float>* FN##_float() noexcept {                                                        \
        static constexpr kernel_table<float> t = simd_kernels<float, ARCH, REGS>::table(NAME);                \
        return &t;                                                                                            \
    }                                                                                                         \
    struct FN##_name {                                                                                        \
        static constexpr const char* get() noexcept { return NAME; }                                          \
    };                                                                                                        \
    const kernel_table<double>* FN##_double() noexcept { return simd_double_table<ARCH, REGS, FN##_name>(); } \
    }                                                                                                         \
    }
