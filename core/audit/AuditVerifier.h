// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditHead.h"
#include "common/Result.h"
#include "crypto/Ed25519Key.h"
#include "store/Database.h"

#include <QJsonObject>

#include <optional>

namespace mandate::audit {

/// What verification found wrong first.
enum class TamperKind {
    None,
    Edited,     ///< a record's content no longer matches its hash (or was re-hashed alone)
    Removed,    ///< a sequence number is missing: a gap
    Reordered,  ///< a record is out of its place
    Truncated,  ///< records after the chain's end existed according to a saved head
    Forged,     ///< the chain is self-consistent but a seal or the saved head does not vouch for it
    BadHead,    ///< the saved head itself is not authentic
    SchemaChanged, ///< an index or a trigger on the audit table is not as the migrations made it
};
QString tamperKindName(TamperKind kind);

/// The outcome of walking a chain: intact, or the first bad record and why.
struct VerifyReport
{
    TamperKind problem = TamperKind::None;
    QString gatewayId;
    qint64 sequence = 0;        ///< the first bad record (for Removed/Truncated: the first missing one)
    QString reason;
    qint64 recordsChecked = 0;
    qint64 gateways = 0;
    bool sealsChecked = false;  ///< a trusted key was available and the newest seal verified
    AuditHead head;             ///< the end of the (last) chain as found

    bool intact() const { return problem == TamperKind::None; }
    QJsonObject toJson() const;
};

/// Walks the hash chains in a gateway database and names the first record that is not as the
/// gateway wrote it. On SQLite the chain is read in parts by one thread per core, straight from
/// the database pages, and the parts are joined in order (walkChainNative()).
class AuditVerifier
{
public:
    struct Options
    {
        QString gatewayId;                      ///< empty: every chain in the database
        std::optional<SignedHead> savedHead;    ///< detects truncation and rewriting before it
        std::optional<crypto::Ed25519Key> trustedKey; ///< checks seals; defaults to the saved head's key
        qint64 partIds = 0;  ///< ids per part of the parallel walk; 0: the default. Tests make it small.
    };

    explicit AuditVerifier(const store::Database &database) : m_db(database) {}
    /// An Error only when the database cannot be read; tampering is reported in the VerifyReport.
    Result<VerifyReport> verify(const Options &options) const;

private:
    Status verifyChain(const QString &gatewayId, const Options &options, VerifyReport &report) const;
    Status checkSeals(const QString &gatewayId, const crypto::Ed25519Key &key, VerifyReport &report) const;
    Status checkSchema(VerifyReport &report) const;

    const store::Database &m_db;
};

} // namespace mandate::audit
