// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "crypto/Ed25519Key.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace mandate::audit {

/// The newest link of one gateway's chain. Saved and signed, it lets a later verification
/// detect truncation (records after it removed) and rewriting (records before it recomputed).
struct AuditHead
{
    QString gatewayId;
    qint64 sequence = 0;            ///< 0 for an empty chain
    QByteArray hash;                ///< 32 bytes; ChainHash::genesis() for an empty chain

    /// The bytes a seal or a signed head signs: a domain prefix and canonical JSON of the three fields.
    QByteArray signingBytes() const;
};

/// An exported head with its Ed25519 signature and the public key that made it. JSON form:
/// {"gateway","sequence","hash"(hex),"time","alg":"EdDSA","public_key"(base64url),"signature"(base64url)}.
struct SignedHead
{
    AuditHead head;
    QDateTime time;                 ///< when it was exported (informational, not signed)
    QByteArray publicKey;
    QByteArray signature;

    static Result<SignedHead> sign(const AuditHead &head, const crypto::Ed25519Key &key, const QDateTime &time);
    /// Checks the signature with the key in the file, or with `trusted` when given (and then
    /// also that the file names that key).
    Status verify(const crypto::Ed25519Key *trusted = nullptr) const;

    QJsonObject toJson() const;
    static Result<SignedHead> fromJson(const QJsonObject &object);
};

} // namespace mandate::audit
