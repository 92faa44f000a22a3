// ARM semihosting: the debugger (here qemu, -semihosting-config enable=on) services
// `bkpt 0xAB` requests, which gives bare-metal code a console and an exit code
// without any UART driver. Plus the few number formatters the example needs
// (no printf: newlib's pulls in malloc and the stdio machinery).
#pragma once

#include <cstdint>

namespace semihost {

void write(const char* text);          // SYS_WRITE0: a NUL-terminated string
[[noreturn]] void exit(bool success);  // SYS_EXIT: qemu exits with status 0 / 1

// Formatters into a caller buffer (returned); `buf` must hold 32 chars.
char* u64_dec(char* buf, std::uint64_t v);
char* u64_hex(char* buf, std::uint64_t v);  // 0x + 16 digits
char* sci(char* buf, double v);             // d.dddddddde±XX (9 significant digits)

// "key value\n"
void line(const char* key, const char* value);

}  // namespace semihost
