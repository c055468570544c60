// SPDX-License-Identifier: Apache-2.0
#include "audit/ChainHash.h"

#include "crypto/Sha256.h"

#include <array>

namespace mandate::audit {

QByteArray ChainHash::link(QByteArrayView gatewayUtf8, qint64 sequence, QByteArrayView prevHash,
                           QByteArrayView body, QByteArray &scratch)
{
    std::array<unsigned char, crypto::Sha256::kSize> digest{};
    link(gatewayUtf8, sequence, prevHash, body, scratch, digest);
    return QByteArray(reinterpret_cast<const char *>(digest.data()), kSize);
}

namespace {

/// Everything the link hashes before the body.
void prefix(QByteArrayView gatewayUtf8, qint64 sequence, QByteArrayView prevHash, QByteArray &scratch)
{
    static constexpr char kDomain[] = "mandate-audit-v1";
    scratch.resize(0);
    scratch.append(kDomain, sizeof kDomain); // includes the terminating 0x00 separator
    scratch.append(gatewayUtf8);
    scratch.append('\0');
    const auto seq = static_cast<quint64>(sequence);
    for (int shift = 56; shift >= 0; shift -= 8)
        scratch.append(static_cast<char>((seq >> shift) & 0xFF));
    scratch.append(prevHash);
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
