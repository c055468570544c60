// SPDX-License-Identifier: Apache-2.0
#include "audit/BodyColumnReader.h"

#include "common/Hex.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mandate::audit {

namespace {

/// The column whose JSON key is `key`, or -1. Runs for every top-level key of every record:
/// the length picks at most two candidates.
int columnOfKey(QByteArrayView key)
{
    constexpr qsizetype kLongest = 32;
    struct Candidate
    {
        int column = -1;
        const char *key = nullptr;
    };
    using Candidates = std::array<std::array<Candidate, 2>, kLongest + 1>;
    static const Candidates byLength = [] {
        Candidates table{};
        for (int c = 0; c < AuditColumns::Count; ++c) {
            const QByteArrayView name = AuditColumns::jsonKey(AuditColumns::Column(c));
            auto &slot = table.at(size_t(name.size()));
            slot[slot[0].column < 0 ? 0 : 1] = Candidate{c, name.data()};
        }
        return table;
    }();
    if (key.size() > kLongest)
        return -1;
    for (const Candidate &candidate : byLength[size_t(key.size())]) {
        if (candidate.column >= 0 && BodyColumnReader::sameBytes(candidate.key, key.data(), key.size()))
            return candidate.column;
    }
    return -1;
}

/// The first '"' or '\\' in [p, end), or end.
Q_ALWAYS_INLINE const char *findQuoteOrBackslash(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    for (; end - p >= 16; p += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        const int hits = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        if (hits != 0)
            return p + __builtin_ctz(unsigned(hits));
    }
#endif
    while (p < end && *p != '"' && *p != '\\')
        ++p;
    return p;
}

/// Past the closing quote of the string whose opening quote is at `p`; nullptr if unterminated.
const char *skipString(const char *p, const char *end)
{
    ++p;
    for (;;) {
        p = findQuoteOrBackslash(p, end);
        if (p == end)
            return nullptr;
        if (*p == '"')
            return p + 1;
        if (end - p < 2)
            return nullptr;  // a backslash with nothing after it
        p += 2;  // the escaped character cannot end the string
    }
}

#if defined(__SSE2__)
/// One bit per byte of a 64-byte block.
struct BlockMasks
{
    quint64 quote = 0;
    quint64 backslash = 0;
    quint64 open = 0;   ///< '{' or '['
    quint64 close = 0;  ///< '}' or ']'
};

BlockMasks blockMasks(const char *p)
{
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i fold = _mm_set1_epi8(0x20);  // '[' | 0x20 == '{', ']' | 0x20 == '}'
    const __m128i open = _mm_set1_epi8('{');
    const __m128i close = _mm_set1_epi8('}');
    const auto bits = [](__m128i eq, int chunk) { return quint64(quint16(_mm_movemask_epi8(eq))) << (16 * chunk); };
    BlockMasks m;
    for (int chunk = 0; chunk < 4; ++chunk) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16 * chunk));
        const __m128i folded = _mm_or_si128(v, fold);
        m.quote |= bits(_mm_cmpeq_epi8(v, quote), chunk);
        m.backslash |= bits(_mm_cmpeq_epi8(v, backslash), chunk);
        m.open |= bits(_mm_cmpeq_epi8(folded, open), chunk);
        m.close |= bits(_mm_cmpeq_epi8(folded, close), chunk);
    }
    return m;
}

/// Bit i = XOR of bits 0..i: set from an opening quote up to (not including) its closing one.
quint64 prefixXor(quint64 x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}
#endif

/// Past the object or array that opens at `p`, following strings and bracket balance only;
/// nullptr if it does not close.
const char *skipNested(const char *p, const char *end)
{
    int depth = 0;
    bool inString = false;
#if defined(__SSE2__)
    // Bit-parallel: which quotes open strings follows from the quote mask alone as long as a
    // block has no backslash; then only the brackets outside strings are visited.
    for (; end - p >= 64; p += 64) {
        const BlockMasks m = blockMasks(p);
        if (m.backslash != 0)
            break; // escapes are rare: the byte loop takes over from here
        const quint64 inside = prefixXor(m.quote) ^ (inString ? ~quint64(0) : 0);
        inString = (inside >> 63) != 0;
        for (quint64 brackets = (m.open | m.close) & ~inside; brackets != 0; brackets &= brackets - 1) {
            const int at = __builtin_ctzll(brackets);
            if ((m.open >> at) & 1)
                ++depth;
            else if (--depth == 0)
                return p + at + 1;
        }
    }
#endif
    bool escaped = false;
    for (; p < end; ++p) {
        const char c = *p;
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return p + 1;
        }
    }
    return nullptr;
}

/// Past a number or literal (true, false, null); nullptr if there is none.
const char *skipScalar(const char *p, const char *end)
{
    const char *start = p;
    while (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || *p == '-' || *p == '+' || *p == '.' || *p == 'E'))
        ++p;
    return p == start ? nullptr : p;
}

/// The code unit of the four hex digits at `p`, or -1.
int hex4(const char *p, const char *end)
{
    if (end - p < 4)
        return -1;
    int unit = 0;
    for (int i = 0; i < 4; ++i) {
        const int digit = hexDigitValue(p[i]);
        if (digit < 0)
            return -1;
        unit = unit * 16 + digit;
    }
    return unit;
}

void appendUtf8(QByteArray &out, char32_t cp)
{
    if (cp < 0x80) {
        out.append(char(cp));
    } else if (cp < 0x800) {
        out.append(char(0xC0 | (cp >> 6)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.append(char(0xE0 | (cp >> 12)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else {
        out.append(char(0xF0 | (cp >> 18)));
        out.append(char(0x80 | ((cp >> 12) & 0x3F)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    }
}

/// Decodes the escaped string whose content starts at `p` into `out`; past its closing quote,
/// or nullptr for a bad escape, a lone surrogate, a raw control character or no closing quote.
const char *unescape(const char *p, const char *end, QByteArray &out)
{
    while (p < end) {
        const char c = *p++;
        if (c == '"')
            return p;
        if (static_cast<unsigned char>(c) < 0x20)
            return nullptr;
        if (c != '\\') {
            out.append(c);
            continue;
        }
        if (p == end)
            return nullptr;
        switch (*p++) {
        case '"': out.append('"'); break;
        case '\\': out.append('\\'); break;
        case '/': out.append('/'); break;
        case 'b': out.append('\b'); break;
        case 'f': out.append('\f'); break;
        case 'n': out.append('\n'); break;
        case 'r': out.append('\r'); break;
        case 't': out.append('\t'); break;
        case 'u': {
            const int unit = hex4(p, end);
            if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
                return nullptr;
            p += 4;
            char32_t cp = char32_t(unit);
            if (unit >= 0xD800 && unit <= 0xDBFF) {
                const int low = end - p >= 2 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2, end) : -1;
                if (low < 0xDC00 || low > 0xDFFF)
                    return nullptr;
                p += 6;
                cp = 0x10000 + ((char32_t(unit) - 0xD800) << 10) + (char32_t(low) - 0xDC00);
            }
            appendUtf8(out, cp);
            break;
        }
        default: return nullptr;
        }
    }
    return nullptr;
}

} // namespace

bool BodyColumnReader::read(QByteArrayView body)
{
    m_values.fill(QByteArrayView());
    const char *p = body.data();
    const char *const end = p + body.size();
    if (p == end || *p != '{')
        return false;
    ++p;
    if (p < end && *p == '}')
        return p + 1 == end;
    unsigned seen = 0;  // one bit per column
    for (;;) {
        if (p == end || *p != '"')
            return false;
        const char *keyEnd = findQuoteOrBackslash(p + 1, end);
        if (keyEnd == end || *keyEnd != '"')
            return false; // an escaped key is not canonical
        const QByteArrayView key(p + 1, keyEnd - (p + 1));
        p = keyEnd + 1;
        if (p == end || *p++ != ':' || p == end)
            return false;
        if (const int column = columnOfKey(key); column >= 0) {
            if (*p != '"' || (seen & (1u << column)) != 0)
                return false; // a column field is always a string, and there is one of each
            seen |= 1u << column;
            const char *start = p + 1;
            const char *stop = findQuoteOrBackslash(start, end);
            if (stop == end)
                return false;
            for (const char *c = start; c < stop; ++c) {
                if (static_cast<unsigned char>(*c) < 0x20)
                    return false;
            }
            if (*stop == '"') {
                m_values[column] = QByteArrayView(start, stop - start);
                p = stop + 1;
            } else {
                QByteArray &out = m_unescaped[column];
                out.resize(0);
                out.append(start, stop - start);
                p = unescape(stop, end, out);
                m_values[column] = QByteArrayView(out.constData(), out.size());
            }
        } else if (*p == '"') {
            p = skipString(p, end);
        } else if (*p == '{' || *p == '[') {
            p = skipNested(p, end);
        } else {
            p = skipScalar(p, end);
        }
        if (p == nullptr || p == end)
            return false;
        if (*p == '}')
            return p + 1 == end;
        if (*p++ != ',')
            return false;
    }
}

} // namespace mandate::audit
