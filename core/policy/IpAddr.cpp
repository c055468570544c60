// SPDX-License-Identifier: Apache-2.0
// Cedar's ipaddr extension type.
#include "policy/Extensions.h"

#include "common/Hex.h"

#include <cstring>
#include <vector>

namespace mandate::policy::ext {

namespace {

// A decimal number without leading zeros, at most `max`.
std::optional<int> parseSmallDecimal(std::string_view s, int max)
{
    if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0'))
        return std::nullopt;
    int v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v <= max ? std::optional<int>(v) : std::nullopt;
}

bool parseV4(std::string_view s, uint8_t *out)
{
    int part = 0;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == '.') {
            if (part > 3)
                return false;
            const auto octet = parseSmallDecimal(s.substr(start, i - start), 255);
            if (!octet)
                return false;
            out[part++] = uint8_t(*octet);
            start = i + 1;
        }
    }
    return part == 4;
}

bool parseHexGroup(std::string_view s, uint16_t &out)
{
    if (s.empty() || s.size() > 4)
        return false;
    unsigned v = 0;
    for (const char c : s) {
        const int d = hexDigitValue(c);
        if (d < 0)
            return false;
        v = v * 16 + unsigned(d);
    }
    out = uint16_t(v);
    return true;
}

// Parses the groups of one side of "::"; a trailing dotted quad counts as two groups.
bool parseV6Groups(std::string_view s, std::vector<uint16_t> &groups, bool allowV4Tail)
{
    if (s.empty())
        return true;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == ':') {
            const std::string_view piece = s.substr(start, i - start);
            if (i == s.size() && allowV4Tail && piece.find('.') != std::string_view::npos) {
                uint8_t v4[4];
                if (!parseV4(piece, v4))
                    return false;
                groups.push_back(uint16_t(v4[0] << 8 | v4[1]));
                groups.push_back(uint16_t(v4[2] << 8 | v4[3]));
                return true;
            }
            uint16_t g;
            if (!parseHexGroup(piece, g))
                return false;
            groups.push_back(g);
            start = i + 1;
        }
    }
    return true;
}

bool parseV6(std::string_view s, uint8_t *out)
{
    std::vector<uint16_t> head, tail;
    const size_t gap = s.find("::");
    if (gap != std::string_view::npos) {
        if (s.find("::", gap + 1) != std::string_view::npos)
            return false;
        if (!parseV6Groups(s.substr(0, gap), head, false) || !parseV6Groups(s.substr(gap + 2), tail, true))
            return false;
        if (head.size() + tail.size() > 7)
            return false;
    } else {
        if (!parseV6Groups(s, head, true) || head.size() != 8)
            return false;
    }
    std::vector<uint16_t> all(8, 0);
    for (size_t i = 0; i < head.size(); ++i)
        all[i] = head[i];
    for (size_t i = 0; i < tail.size(); ++i)
        all[8 - tail.size() + i] = tail[i];
    for (int i = 0; i < 8; ++i) {
        out[2 * i] = uint8_t(all[i] >> 8);
        out[2 * i + 1] = uint8_t(all[i] & 0xff);
    }
    return true;
}

// First and last address of the range, as 16 bytes.
void bounds(const IpValue &ip, std::array<uint8_t, 16> &lo, std::array<uint8_t, 16> &hi)
{
    const int bytes = ip.v6 ? 16 : 4;
    lo = ip.addr;
    hi = ip.addr;
    for (int bit = ip.prefix; bit < bytes * 8; ++bit) {
        const uint8_t mask = uint8_t(0x80 >> (bit % 8));
        lo[bit / 8] &= uint8_t(~mask);
        hi[bit / 8] |= mask;
    }
}

IpValue constant(const char *text)
{
    return *parseIp(text);
}

} // namespace

std::optional<IpValue> parseIp(std::string_view text)
{
    IpValue ip;
    std::string_view addr = text;
    std::optional<int> prefix;
    const size_t slash = text.find('/');
    if (slash != std::string_view::npos)
        addr = text.substr(0, slash);
    if (addr.find(':') != std::string_view::npos) {
        // Cedar does not accept IPv4 embedded in IPv6 (::ffff:1.2.3.4).
        if (addr.find('.') != std::string_view::npos)
            return std::nullopt;
        ip.v6 = true;
        if (!parseV6(addr, ip.addr.data()))
            return std::nullopt;
    } else if (!parseV4(addr, ip.addr.data())) {
        return std::nullopt;
    }
    const int maxPrefix = ip.v6 ? 128 : 32;
    if (slash != std::string_view::npos) {
        prefix = parseSmallDecimal(text.substr(slash + 1), maxPrefix);
        if (!prefix)
            return std::nullopt;
    }
    ip.prefix = uint8_t(prefix.value_or(maxPrefix));
    return ip;
}

std::string formatIp(const IpValue &ip)
{
    std::string out;
    if (!ip.v6) {
        for (int i = 0; i < 4; ++i)
            out += (i ? "." : "") + std::to_string(ip.addr[i]);
    } else {
        static const char hex[] = "0123456789abcdef";
        for (int i = 0; i < 8; ++i) {
            if (i)
                out += ':';
            const unsigned g = unsigned(ip.addr[2 * i]) << 8 | ip.addr[2 * i + 1];
            bool started = false;
            for (int shift = 12; shift >= 0; shift -= 4) {
                const unsigned d = (g >> shift) & 0xf;
                if (d || started || shift == 0) {
                    out += hex[d];
                    started = true;
                }
            }
        }
    }
    return out + '/' + std::to_string(ip.prefix);
}

bool ipIsInRange(const IpValue &ip, const IpValue &range)
{
    if (ip.v6 != range.v6)
        return false;
    std::array<uint8_t, 16> lo1, hi1, lo2, hi2;
    bounds(ip, lo1, hi1);
    bounds(range, lo2, hi2);
    const size_t n = ip.v6 ? 16 : 4;
    return std::memcmp(lo1.data(), lo2.data(), n) >= 0 && std::memcmp(hi1.data(), hi2.data(), n) <= 0;
}

bool ipIsLoopback(const IpValue &ip)
{
    static const IpValue v4 = constant("127.0.0.0/8");
    static const IpValue v6 = constant("::1");
    return ipIsInRange(ip, ip.v6 ? v6 : v4);
}

bool ipIsMulticast(const IpValue &ip)
{
    static const IpValue v4 = constant("224.0.0.0/4");
    static const IpValue v6 = constant("ff00::/8");
    return ipIsInRange(ip, ip.v6 ? v6 : v4);
}

} // namespace mandate::policy::ext
