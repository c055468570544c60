// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Clock.h"
#include "common/Result.h"
#include "identity/Agent.h"
#include "identity/Human.h"
#include "identity/Machine.h"
#include "identity/Tool.h"
#include "registry/RegistryChange.h"
#include "store/Database.h"

#include <QObject>

#include <optional>

#include <vector>

namespace mandate::registry {

/// Narrows an agent listing. Empty fields do not filter.
struct AgentFilter
{
    QString status;   ///< active | suspended | retired
    QString owner;
    QString text;     ///< substring of id, display name or description (case-insensitive)
    QString label;    ///< "key=value" or "key"
};

/// Counts of what an import did.
struct ImportSummary
{
    int created = 0;
    int updated = 0;
};

/// The registry of principals and tools on the gateway database. Every write is validated
/// against the whole registry, checks the caller's version (an update against a stale
/// version fails with code "conflict") and emits changed() once committed.
class Registry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Registry)

public:
    Registry(const store::Database &database, const Clock &clock, QObject *parent = nullptr);
    ~Registry() override;

    Result<std::vector<identity::Agent>> agents(const AgentFilter &filter = {}) const;
    Result<std::vector<identity::Tool>> tools() const;
    Result<std::vector<identity::Human>> humans() const;
    Result<std::vector<identity::Machine>> machines() const;

    Result<identity::Agent> agent(const QString &id) const;
    Result<identity::Tool> tool(const QString &id) const;
    Result<identity::Human> human(const QString &id) const;
    Result<identity::Machine> machine(const QString &id) const;

    /// Creates a record; its version becomes 1, or one more than a deleted record of the same id
    /// had (DeletedVersions). Fails with "exists" when the id is taken, and with "conflict" when
    /// `expectedVersion` is given and is not the version it would get.
    template<typename Record>
    Result<Record> create(Record record, const QString &actor, std::optional<qint64> expectedVersion = std::nullopt);
    /// The version create() would give a record `id` now (for an audit record made beforehand).
    template<typename Record>
    Result<qint64> versionOfNew(const QString &id) const;
    /// Replaces a record; `expectedVersion` must equal the stored version.
    template<typename Record>
    Result<Record> update(Record record, qint64 expectedVersion, const QString &actor);
    /// Deletes a record that nothing else refers to.
    template<typename Record>
    Status remove(const QString &id, qint64 expectedVersion, const QString &actor);

    /// Sets an agent's status to retired: it keeps its history but can no longer be delegated to.
    Result<identity::Agent> retireAgent(const QString &id, qint64 expectedVersion, const QString &actor);

    /// The whole registry as {"format":"mandate-registry/1","humans":[],"machines":[],"tools":[],"agents":[]}.
    Result<QJsonObject> exportJson() const;
    /// Creates or updates every record of `document` in one transaction: if any record is
    /// invalid, nothing changes and the Error's details list each problem with its path.
    Result<ImportSummary> importJson(const QJsonObject &document, const QString &actor);
    /// Validates `document` as importJson would, without writing.
    Status validateImport(const QJsonObject &document) const;

Q_SIGNALS:
    void changed(const mandate::registry::RegistryChange &change);

private:
    /// Logs and signals `change` once it is committed.
    void announce(const QString &what, RegistryChange change);
    class Tables;
    struct ParsedImport;
    ParsedImport parseImport(const QJsonObject &document, std::vector<Error> &errors) const;
    /// "conflict" (one detail per record) when a record of the import carries a version the
    /// registry does not hold: changed since, or deleted at or after that version.
    Status checkImportVersions(const ParsedImport &parsed) const;

    const store::Database &m_db;
    const Clock &m_clock;
    std::unique_ptr<Tables> m_tables;
};

} // namespace mandate::registry
