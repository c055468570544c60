// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "firewall/CedarRequestBuilder.h"

#include <QHash>
#include <QJsonArray>

#include <memory>
#include <mutex>

namespace mandate::firewall {

/// The entities of per-call Cedar requests, built once per execution and reused: they depend
/// only on the execution, its ancestors, the chain's agents and the tool, which do not change
/// between one execution's calls, while building their JSON and parsing it against the schema
/// was a sixth of a decision. Entries are keyed by every value the entities are built from
/// (so an edited agent simply misses) and dropped when the schema changes. Thread-safe.
class CedarEntityCache final
{
public:
    struct Entry
    {
        QJsonArray json;             ///< CedarRequestBuilder::entitiesJson of the input
        QByteArray canonical;        ///< `json` as the audit log encodes it (audit::appendCanonicalJson)
        policy::EntityStore store;   ///< `json` parsed against the schema
    };

    CedarEntityCache() = default;
    Q_DISABLE_COPY_MOVE(CedarEntityCache)

    /// The entities for `input` under `schema` (may be null), built on a miss. A failure to
    /// parse is returned and not kept.
    Result<std::shared_ptr<const Entry>> entities(const CedarRequestBuilder::Input &input,
                                                  const std::shared_ptr<const policy::Schema> &schema);

    /// `request` (CedarRequestBuilder::toJson(input, entry.json)) as the audit log encodes it,
    /// with the entities' encoding taken from `entry`: AuditRecord::cedarRequestCanonical.
    static QByteArray canonicalRequest(const QJsonObject &request, const Entry &entry);
    /// The key `input`'s entities are cached under; equal keys build equal entities.
    static QString keyOf(const CedarRequestBuilder::Input &input);

    static constexpr qsizetype MaxEntries = 1024;  ///< then it starts over (a few MB): executions are short-lived

private:
    std::mutex m_mutex;
    std::shared_ptr<const policy::Schema> m_schema;  ///< held, so that its address is not reused
    QHash<QString, std::shared_ptr<const Entry>> m_entries;
};

} // namespace mandate::firewall
