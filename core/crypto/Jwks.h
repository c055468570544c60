// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "crypto/Jwk.h"

#include <QList>

namespace mandate::crypto {

/// A JWK Set (RFC 7517 §5) of verification keys, looked up by kid.
/// The set as a whole must be well-formed (`{"keys":[...]}`, every key an object, no duplicate
/// kid: an ambiguous kid could select a key the signer did not use). A single key that Mandate
/// cannot use (encryption keys, other curves, HMAC secrets, weak RSA) does not spoil the set: it
/// is kept as an unusable entry, so a token naming it is refused with the exact reason.
class Jwks
{
public:
    struct Entry
    {
        QString kid;
        std::optional<Jwk> key; ///< empty when unusable
        QString problem;        ///< why it is unusable
    };

    Jwks() = default;
    /// Error code "bad_key".
    static Result<Jwks> fromJson(const QJsonObject &object);
    static Result<Jwks> parse(QByteArrayView json);

    void add(const Jwk &key);
    bool isEmpty() const { return m_entries.isEmpty(); }
    const QList<Entry> &entries() const { return m_entries; }
    /// The entry with this kid, or nullptr.
    const Entry *find(QStringView kid) const;
    /// The usable keys only, as `{"keys":[...]}` (public members only).
    QJsonObject toJson() const;

private:
    QList<Entry> m_entries;
};

} // namespace mandate::crypto
