/* C consumer of an installed nmfkit, built with pkg-config by .ci/test-package:
 *   cc main.c $(pkg-config --cflags --libs nmfkit)
 * Fits an exactly rank-2 matrix through the C API and checks the result: status, the
 * reported relative error against one computed here, and a small error. No libm call
 * here: the -lm on the link line is the one nmfkit.pc gives (a static libnmfkit needs it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nmfkit/nmfkit.h>

enum { N = 24, M = 16, R = 2 };

int main(void) {
    float X[N * M], W[N * R], H[R * M];
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < M; ++j) /* (1 + i%5, 1 + i%3) times (rows 1 + j%4 and 2 + j%3) */
            X[i * M + j] = (float)((1 + i % 5) * (1 + j % 4) + (1 + i % 3) * (2 + j % 3));

    nmfkit_options opt;
    nmfkit_options_default(&opt);
    opt.rank = R;
    opt.max_iter = 2000;
    opt.tol = 0;
    size_t bytes = 0;
    if (nmfkit_workspace_size_f32(N, M, &opt, &bytes) != NMFKIT_OK) return 1;
    size_t padded = (bytes + NMFKIT_WORKSPACE_ALIGNMENT - 1) / NMFKIT_WORKSPACE_ALIGNMENT * NMFKIT_WORKSPACE_ALIGNMENT;
    void* ws = aligned_alloc(NMFKIT_WORKSPACE_ALIGNMENT, padded ? padded : NMFKIT_WORKSPACE_ALIGNMENT);
    if (!ws) return 1;

    nmfkit_result res;
    nmfkit_status st = nmfkit_fit_f32(X, N, M, 0, W, 0, H, 0, &opt, ws, bytes, &res, NULL, NULL);
    if (st != NMFKIT_OK) {
        fprintf(stderr, "fit: %s (%s)\n", nmfkit_status_name(st), nmfkit_status_message(st));
        free(ws);
        return 1;
    }
    /* The same fit on the library's thread pool: the same bytes (-pthread comes from nmfkit.pc). */
    float tW[N * R], tH[R * M];
    nmfkit_thread_pool* pool = nmfkit_thread_pool_create(2);
    st = nmfkit_fit_ex_f32(X, N, M, 0, tW, 0, tH, 0, &opt, ws, bytes, &res, NULL, NULL,
                           nmfkit_thread_pool_executor(pool));
    free(ws);
    if (!pool || nmfkit_thread_pool_threads(pool) != 2 || st != NMFKIT_OK || memcmp(tW, W, sizeof W) != 0 ||
        memcmp(tH, H, sizeof H) != 0) {
        fprintf(stderr, "c consumer: the fit on a thread pool differs (status %s)\n", nmfkit_status_name(st));
        nmfkit_thread_pool_destroy(pool);
        return 1;
    }
    nmfkit_thread_pool_destroy(pool);

    double num = 0, den = 0;
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < M; ++j) {
            double wh = 0;
            for (int k = 0; k < R; ++k) wh += (double)W[i * R + k] * H[k * M + j];
            num += (X[i * M + j] - wh) * (X[i * M + j] - wh);
            den += (double)X[i * M + j] * X[i * M + j];
        }
    double rel2 = num / den, rep2 = res.relative_error * res.relative_error; /* squared relative errors */
    printf("nmfkit %s (%s kernels): %u iterations, squared relative error %.3g (reported %.3g)\n", nmfkit_version(),
           nmfkit_kernel_name_f32(NULL), res.iterations, rel2, rep2);
    if (res.iterations != opt.max_iter || rel2 - rep2 > 1e-8 || rep2 - rel2 > 1e-8 || rel2 > 1e-6) {
        fprintf(stderr, "c consumer: unexpected result\n");
        return 1;
    }
    return 0;
}
