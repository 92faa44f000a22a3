#include "semihost.hpp"

namespace semihost {
namespace {

constexpr int sys_write0 = 0x04;
constexpr int sys_exit = 0x18;
constexpr std::uint32_t adp_stopped_application_exit = 0x20026;  // qemu: exit status 0
constexpr std::uint32_t adp_stopped_run_time_error = 0x20023;    // qemu: exit status 1

int call(int op, const void* arg) {
    register int r0 __asm__("r0") = op;
    register const void* r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

}  // namespace

void write(const char* text) { call(sys_write0, text); }

void exit(bool success) {
    // On AArch32 the reason code is passed directly in r1, not through a block.
    const std::uint32_t reason = success ? adp_stopped_application_exit : adp_stopped_run_time_error;
    call(sys_exit, reinterpret_cast<const void*>(reason));
    for (;;) __asm__ volatile("wfi");  // without a debugger attached: stop here
}

// v /= 10, returns v % 10. Long division over 16-bit limbs in 32-bit arithmetic: a
// plain 64-bit `/ 10` would link libgcc's __udivmoddi4 (about 700 bytes of flash).
static std::uint32_t div10(std::uint64_t& v) {
    std::uint32_t rem = 0;
    std::uint64_t q = 0;
    for (int s = 48; s >= 0; s -= 16) {
        const std::uint32_t cur = (rem << 16) | static_cast<std::uint32_t>((v >> s) & 0xffffu);
        q |= static_cast<std::uint64_t>(cur / 10) << s;
        rem = cur % 10;
    }
    v = q;
    return rem;
}

char* u64_dec(char* buf, std::uint64_t v) {
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = static_cast<char>('0' + div10(v));
    } while (v != 0);
    int o = 0;
    while (k > 0) buf[o++] = tmp[--k];
    buf[o] = '\0';
    return buf;
}

char* u64_hex(char* buf, std::uint64_t v) {
    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 16; ++i) buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xfu];
    buf[18] = '\0';
    return buf;
}

char* sci(char* buf, double v) {
    int o = 0;
    if (v != v) {
        buf[0] = 'n';
        buf[1] = 'a';
        buf[2] = 'n';
        buf[3] = '\0';
        return buf;
    }
    if (v < 0) {
        buf[o++] = '-';
        v = -v;
    }
    int e = 0;
    if (v != 0) {
        while (v >= 10) {
            v /= 10;
            ++e;
        }
        while (v < 1) {
            v *= 10;
            --e;
        }
    }
    // 9 significant digits, rounded (the scaling loops above cost a few ulps: far below
    // the 1e-5 the comparison needs; relative_error_bits carries the exact value).
    std::uint32_t digits = static_cast<std::uint32_t>(v * 1e8 + 0.5);
    if (digits >= 1000000000u) {
        digits /= 10;
        ++e;
    }
    char d[24];
    u64_dec(d, digits);  // 9 digits
    buf[o++] = d[0];
    buf[o++] = '.';
    for (int i = 1; d[i] != '\0'; ++i) buf[o++] = d[i];
    buf[o++] = 'e';
    buf[o++] = e < 0 ? '-' : '+';
    const int ae = e < 0 ? -e : e;
    buf[o++] = static_cast<char>('0' + ae / 10);
    buf[o++] = static_cast<char>('0' + ae % 10);
    buf[o] = '\0';
    return buf;
}

void line(const char* key, const char* value) {
    write(key);
    write(" ");
    write(value);
    write("\n");
}

}  // namespace semihost
