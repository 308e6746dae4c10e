/* CRC-32 (IEEE 802.3 / zlib / PNG: reflected polynomial 0xEDB88320, initial
 * and final XOR 0xFFFFFFFF), the checksum of every posterior-file chunk and
 * of the runner's checkpoint records. Check value: crc32("123456789") = 0xCBF43926. */
#include "core/internal.h"

uint32_t sbi__crc32_update(uint32_t crc, const void *data, size_t len)
{
    /* The table is rebuilt per call (2 048 steps): no shared state, so any
     * thread may checksum at any time; callers pass whole chunks. */
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    const unsigned char *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) crc = table[(crc ^ p[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

uint32_t sbi__crc32(const void *data, size_t len) { return sbi__crc32_update(0, data, len); }
