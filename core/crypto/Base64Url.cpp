// SPDX-License-Identifier: Apache-2.0
#include "crypto/Base64Url.h"

#include <array>

namespace mandate::crypto {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<qint8, 256> makeTable()
{
    std::array<qint8, 256> table{};
    for (auto &v : table)
        v = -1;
    for (int i = 0; i < 64; ++i)
        table[static_cast<uchar>(kAlphabet[i])] = static_cast<qint8>(i);
    return table;
}

constexpr auto kTable = makeTable();

Error badInput(const QString &message, qsizetype at)
{
    return Error{QStringLiteral("bad_base64url"), message, QString::number(at)};
}

Error badCharacter(uchar c, qsizetype at)
{
    return badInput(c == '=' ? QStringLiteral("padding '=' is not allowed in base64url")
                             : QStringLiteral("invalid base64url character 0x%1").arg(unsigned(c), 2, 16, QLatin1Char('0')),
                    at);
}

} // namespace

QByteArray Base64Url::encode(QByteArrayView data)
{
    const auto *in = reinterpret_cast<const uchar *>(data.data());
    const qsizetype n = data.size();
    QByteArray out;
    out.resize((n / 3) * 4 + (n % 3 == 0 ? 0 : n % 3 + 1));
    char *o = out.data();
    qsizetype i = 0;
    for (; i + 3 <= n; i += 3) {
        const unsigned v = (unsigned(in[i]) << 16) | (unsigned(in[i + 1]) << 8) | in[i + 2];
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
        *o++ = kAlphabet[(v >> 6) & 63];
        *o++ = kAlphabet[v & 63];
    }
    if (n - i == 1) {
        const unsigned v = unsigned(in[i]) << 16;
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
    } else if (n - i == 2) {
        const unsigned v = (unsigned(in[i]) << 16) | (unsigned(in[i + 1]) << 8);
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
        *o++ = kAlphabet[(v >> 6) & 63];
    }
    return out;
}

Result<QByteArray> Base64Url::decode(QByteArrayView text)
{
    const qsizetype n = text.size();
    if (n % 4 == 1)
        return badInput(QStringLiteral("base64url length %1 cannot encode whole bytes").arg(n), n - 1);
    QByteArray out((n / 4) * 3 + (n % 4 == 0 ? 0 : n % 4 - 1), Qt::Uninitialized);
    char *o = out.data();
    const auto *in = reinterpret_cast<const uchar *>(text.data());
    // Four characters make three bytes; an invalid one makes its table entry, and so the OR of
    // the four, negative. Then the first of them that is invalid is the one reported.
    qsizetype i = 0;
    for (; i + 4 <= n; i += 4) {
        const int a = kTable[in[i]], b = kTable[in[i + 1]], c = kTable[in[i + 2]], d = kTable[in[i + 3]];
        if ((a | b | c | d) < 0) {
            for (qsizetype j = i;; ++j) {
                if (kTable[in[j]] < 0)
                    return badCharacter(in[j], j);
            }
        }
        const unsigned v = (unsigned(a) << 18) | (unsigned(b) << 12) | (unsigned(c) << 6) | unsigned(d);
        o[0] = static_cast<char>(v >> 16);
        o[1] = static_cast<char>((v >> 8) & 0xFF);
        o[2] = static_cast<char>(v & 0xFF);
        o += 3;
    }
    // The last 2 or 3 characters: 1 or 2 bytes, and 4 or 2 unused bits.
    unsigned acc = 0;
    int bits = 0;
    for (; i < n; ++i) {
        const int v = kTable[in[i]];
        if (v < 0)
            return badCharacter(in[i], i);
        acc = (acc << 6) | unsigned(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *o++ = static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    // The bits left over must be zero, otherwise several encodings map to the same bytes.
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
        return badInput(QStringLiteral("non-canonical base64url: unused trailing bits are not zero"), n - 1);
    return out;
}

} // namespace mandate::crypto
