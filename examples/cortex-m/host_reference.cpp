// The Cortex-M example's problem (demo_problem.hpp) solved natively, on the build
// machine, and compared with what the firmware printed under qemu:
//
//   host_reference                         prints the native results
//   host_reference FIRMWARE_OUTPUT [CHECKSUM]
//       checks the firmware's output: its init checksum equals the native one (and
//       CHECKSUM, the value committed in tests/test_solver.cpp), its relative error
//       agrees with the native one to 1e-5 (relative), same iteration count. Exit 0 if so.
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "demo_problem.hpp"
#include "nmfkit/nmfkit.hpp"

namespace {

struct native_result {
    std::uint64_t checksum = 0;
    std::uint32_t iterations = 0;
    double relative_error = 0;
};

bool solve(native_result& out) {
    std::vector<float> X(demo::n * demo::m), W(demo::n * demo::r), H(demo::r * demo::m);
    if (demo::init_checksum(X.data(), W.data(), H.data(), out.checksum) != nmfkit::status::ok) return false;
    demo::fill_x(X.data());
    const nmfkit::options opt = demo::fit_options();
    std::size_t bytes = 0;
    if (nmfkit::workspace_size<float>(demo::n, demo::m, opt, bytes) != nmfkit::status::ok) return false;
    std::vector<unsigned char> ws(bytes + nmfkit::workspace_alignment);
    nmfkit::result res;
    const nmfkit::status s = nmfkit::fit<float>({X.data(), demo::n, demo::m}, {W.data(), demo::n, demo::r},
                                                {H.data(), demo::r, demo::m}, opt,
                                                nmfkit::align_workspace(ws.data(), ws.size()), bytes, res);
    if (s != nmfkit::status::ok) {
        std::fprintf(stderr, "fit: %s\n", nmfkit::status_name(s));
        return false;
    }
    out.iterations = res.iterations;
    out.relative_error = res.relative_error;
    std::printf("kernel %s\ninit_checksum %" PRIu64 "\nworkspace_size %zu\niterations %" PRIu32
                "\nrelative_error %.9e\n",
                nmfkit::default_kernel_name<float>(), out.checksum, bytes, res.iterations, res.relative_error);
    std::uint64_t bits;
    std::memcpy(&bits, &res.relative_error, sizeof(bits));
    std::printf("relative_error_bits 0x%016" PRIx64 "\n", bits);
    return true;
}

std::map<std::string, std::string> read_lines(const char* path) {
    std::map<std::string, std::string> kv;
    FILE* f = std::fopen(path, "r");
    if (!f) return kv;
    char line[512];
    while (std::fgets(line, sizeof(line), f)) {
        std::string s(line);
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
        const auto sp = s.find(' ');
        if (sp != std::string::npos) kv[s.substr(0, sp)] = s.substr(sp + 1);
    }
    std::fclose(f);
    return kv;
}

}  // namespace

int main(int argc, char** argv) {
    native_result nat;
    if (!solve(nat)) return 1;
    if (argc < 2) return 0;

    auto fw = read_lines(argv[1]);
    bool ok = true;
    auto need = [&](const char* key) -> const std::string& {
        static const std::string none;
        auto it = fw.find(key);
        if (it == fw.end()) {
            std::printf("FAIL: firmware output has no '%s' line\n", key);
            ok = false;
            return none;
        }
        return it->second;
    };
    if (fw.find("DONE") == fw.end() || fw["DONE"] != "ok") {
        std::printf("FAIL: firmware did not finish with 'DONE ok'\n");
        ok = false;
    }

    const std::string& ck = need("init_checksum");
    if (!ck.empty()) {
        const std::uint64_t fw_ck = std::strtoull(ck.c_str(), nullptr, 10);
        std::printf("init checksum: firmware %" PRIu64 ", native %" PRIu64, fw_ck, nat.checksum);
        if (argc > 2) std::printf(", committed %s", argv[2]);
        std::printf("\n");
        if (fw_ck != nat.checksum || (argc > 2 && std::strtoull(argv[2], nullptr, 10) != fw_ck)) {
            std::printf("FAIL: init checksums differ\n");
            ok = false;
        }
    }

    const std::string& it = need("iterations");
    if (!it.empty() && std::strtoul(it.c_str(), nullptr, 10) != nat.iterations) {
        std::printf("FAIL: iterations: firmware %s, native %" PRIu32 "\n", it.c_str(), nat.iterations);
        ok = false;
    }

    const std::string& re = need("relative_error");
    if (!re.empty()) {
        const double fw_re = std::strtod(re.c_str(), nullptr);
        const double rel = std::fabs(fw_re - nat.relative_error) / std::fabs(nat.relative_error);
        std::printf("relative error: firmware %.9e, native %.9e, relative difference %.2e\n", fw_re, nat.relative_error,
                    rel);
        if (!(rel <= 1e-5)) {
            std::printf("FAIL: relative errors differ by more than 1e-5\n");
            ok = false;
        }
        const std::string& bits = need("relative_error_bits");
        std::uint64_t nat_bits;
        std::memcpy(&nat_bits, &nat.relative_error, sizeof(nat_bits));
        std::printf("bit-identical relative error: %s\n",
                    std::strtoull(bits.c_str(), nullptr, 16) == nat_bits ? "yes" : "no");
    }
    std::printf(ok ? "PASS\n" : "FAILED\n");
    return ok ? 0 : 1;
}
