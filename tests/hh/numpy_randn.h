/* NumPy's legacy RandomState(seed).randn(), re-implemented for the tests:
 * MT19937 with Knuth's integer seeding, 53-bit doubles from two words, and
 * the Marsaglia polar method with its cached second value (spec hh-model.md
 * A.2). Bit-compatible with NumPy for the reference data's seed-0 noise. */
#ifndef SBI_TEST_NUMPY_RANDN_H
#define SBI_TEST_NUMPY_RANDN_H

#include <math.h>
#include <stdint.h>

struct np_randomstate {
    uint32_t mt[624];
    int pos;
    int has_gauss;
    double gauss;
};

static inline void np_seed(struct np_randomstate *s, uint32_t seed)
{
    s->mt[0] = seed;
    for (int i = 1; i < 624; i++)
        s->mt[i] = 1812433253u * (s->mt[i - 1] ^ (s->mt[i - 1] >> 30)) + (uint32_t)i;
    s->pos = 624;
    s->has_gauss = 0;
    s->gauss = 0.0;
}

static inline uint32_t np_genrand(struct np_randomstate *s)
{
    if (s->pos >= 624) {
        for (int i = 0; i < 624; i++) {
            uint32_t y = (s->mt[i] & 0x80000000u) | (s->mt[(i + 1) % 624] & 0x7fffffffu);
            s->mt[i] = s->mt[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
        }
        s->pos = 0;
    }
    uint32_t y = s->mt[s->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

static inline double np_random_double(struct np_randomstate *s)
{
    uint32_t a = np_genrand(s) >> 5, b = np_genrand(s) >> 6;
    return ((double)a * 67108864.0 + (double)b) / 9007199254740992.0;
}

static inline double np_randn(struct np_randomstate *s)
{
    if (s->has_gauss) {
        s->has_gauss = 0;
        return s->gauss;
    }
    double x1, x2, r2;
    do {
        x1 = 2.0 * np_random_double(s) - 1.0;
        x2 = 2.0 * np_random_double(s) - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = sqrt(-2.0 * log(r2) / r2);
    s->gauss = f * x1;
    s->has_gauss = 1;
    return f * x2;
}

#endif /* SBI_TEST_NUMPY_RANDN_H */
