// SPDX-License-Identifier: Apache-2.0
#include "audit/ChainHash.h"

#include "crypto/Sha256.h"

#include <array>
#include <cstring>

namespace mandate::audit {

QByteArray ChainHash::link(QByteArrayView gatewayUtf8, qint64 sequence, QByteArrayView prevHash,
                           QByteArrayView body, QByteArray &scratch)
{
    std::array<unsigned char, crypto::Sha256::kSize> digest{};
    link(gatewayUtf8, sequence, prevHash, body, scratch, digest);
    return QByteArray(reinterpret_cast<const char *>(digest.data()), kSize);
}

namespace {

/// Everything the link hashes before the body, written in place: it runs for every record
/// appended and verified.
void prefix(QByteArrayView gatewayUtf8, qint64 sequence, QByteArrayView prevHash, QByteArray &scratch)
{
    static constexpr char kDomain[] = "mandate-audit-v1";  // with its 0x00 as the separator
    scratch.resize(qsizetype(sizeof kDomain) + gatewayUtf8.size() + 1 + 8 + prevHash.size());
    char *out = scratch.data();
    std::memcpy(out, kDomain, sizeof kDomain);
    out += sizeof kDomain;
    if (!gatewayUtf8.isEmpty())
        std::memcpy(out, gatewayUtf8.data(), size_t(gatewayUtf8.size()));
    out += gatewayUtf8.size();
    *out++ = '\0';
    const auto seq = static_cast<quint64>(sequence);
    for (int shift = 56; shift >= 0; shift -= 8)
        *out++ = static_cast<char>((seq >> shift) & 0xFF);
    if (!prevHash.isEmpty())
        std::memcpy(out, prevHash.data(), size_t(prevHash.size()));
}

} // namespace

void ChainHash::link(QByteArrayView gatewayUtf8, qint64 sequence, QByteArrayView prevHash, QByteArrayView body,
                     QByteArray &scratch, std::array<unsigned char, kSize> &out)
{
    prefix(gatewayUtf8, sequence, prevHash, scratch);
    scratch.append(body);
    crypto::Sha256::hash(scratch, out);
}

void ChainHash::link(QByteArrayView gatewayUtf8, qint64 sequence, QByteArrayView prevHash, QByteArrayView body,
                     QByteArray &scratch, crypto::Sha256::Hasher &hasher, std::array<unsigned char, kSize> &out)
{
    prefix(gatewayUtf8, sequence, prevHash, scratch);
    hasher.add(scratch);
    hasher.add(body);
    hasher.finish(out);
}

QByteArray ChainHash::link(const QString &gatewayId, qint64 sequence, QByteArrayView prevHash, QByteArrayView body)
{
    QByteArray scratch;
    return link(gatewayId.toUtf8(), sequence, prevHash, body, scratch);
}

} // namespace mandate::audit
