// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "crypto/Sha256.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>

namespace mandate::audit {

/// The audit hash chain's link function:
///   hash_n = SHA-256("mandate-audit-v1" 0x00 gateway 0x00 uint64be(sequence) hash_{n-1} body_n)
/// where body_n is the record's canonical JSON and hash_0 (before the first record) is 32 zero
/// bytes. Binding gateway and sequence makes a record impossible to move to another position
/// or chain without changing its hash.
class ChainHash
{
public:
    static constexpr qsizetype kSize = 32;
    static QByteArray genesis() { return QByteArray(kSize, '\0'); }

    /// `scratch` is reused between calls so that verifying millions of records does not allocate.
    static QByteArray link(QByteArrayView gatewayUtf8, qint64 sequence, QByteArrayView prevHash,
                           QByteArrayView body, QByteArray &scratch);
    /// The same into `out`, for the verifier's hot loop.
    static void link(QByteArrayView gatewayUtf8, qint64 sequence, QByteArrayView prevHash, QByteArrayView body,
                     QByteArray &scratch, std::array<unsigned char, kSize> &out);
    static QByteArray link(const QString &gatewayId, qint64 sequence, QByteArrayView prevHash, QByteArrayView body);
    /// The same hashing the body where it lies: only the short prefix goes through `scratch`.
    static void link(QByteArrayView gatewayUtf8, qint64 sequence, QByteArrayView prevHash, QByteArrayView body,
                     QByteArray &scratch, crypto::Sha256::Hasher &hasher, std::array<unsigned char, kSize> &out);
};

} // namespace mandate::audit
