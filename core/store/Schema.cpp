// SPDX-License-Identifier: Apache-2.0
#include "store/Schema.h"

#include "store/NativeConnection.h"

#include <sqlite3.h>

#include <algorithm>
#include <mutex>

namespace mandate::store {

namespace {

QString recordTable(const char *name)
{
    return QStringLiteral("CREATE TABLE %1 (id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, "
                          "body TEXT NOT NULL, updated_at TEXT NOT NULL)").arg(QLatin1String(name));
}

QList<Migration> buildMigrations()
{
    QList<Migration> list;
    list.append({1, QStringLiteral("registry records"),
                 {recordTable("humans"), recordTable("machines"), recordTable("tools"), recordTable("agents")}});
    // Filtering by status and owner must not parse every JSON body.
    list.append({2, QStringLiteral("agent status and owner columns"),
                 {QStringLiteral("ALTER TABLE agents ADD COLUMN status TEXT NOT NULL DEFAULT 'active'"),
                  QStringLiteral("ALTER TABLE agents ADD COLUMN owner TEXT NOT NULL DEFAULT ''"),
                  // A body may omit "status" (it defaults to active when read), so keep the default.
                  QStringLiteral("UPDATE agents SET status = coalesce(json_extract(body, '$.status'), 'active'), "
                                 "owner = coalesce(json_extract(body, '$.owner'), '')"),
                  QStringLiteral("CREATE INDEX agents_status ON agents(status)"),
                  QStringLiteral("CREATE INDEX agents_owner ON agents(owner)")}});
    list.append({3, QStringLiteral("admin API keys"),
                 {QStringLiteral("CREATE TABLE api_keys (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, "
                                 "role TEXT NOT NULL, secret_hash BLOB NOT NULL, created_at TEXT NOT NULL)")}});
    // The audit log (core/audit). The body is the hashed canonical JSON; the query columns are
    // generated from it, so they can never disagree with what the hash chain protects.
    list.append({4, QStringLiteral("audit log"),
                 {QStringLiteral("CREATE TABLE audit_records (id INTEGER PRIMARY KEY, gateway TEXT NOT NULL, "
                                 "seq INTEGER NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL, body TEXT NOT NULL, seal BLOB, "
                                 "time TEXT GENERATED ALWAYS AS (json_extract(body, '$.time')) VIRTUAL, "
                                 "event TEXT GENERATED ALWAYS AS (json_extract(body, '$.\"mandate.event.type\"')) VIRTUAL, "
                                 "human TEXT GENERATED ALWAYS AS (json_extract(body, '$.\"mandate.delegation.root\"')) VIRTUAL, "
                                 "agent TEXT GENERATED ALWAYS AS (json_extract(body, '$.\"mandate.agent.id\"')) VIRTUAL, "
                                 "execution TEXT GENERATED ALWAYS AS (json_extract(body, '$.\"mandate.execution.id\"')) VIRTUAL, "
                                 "parent_execution TEXT GENERATED ALWAYS AS (json_extract(body, '$.\"mandate.execution.parent_id\"')) VIRTUAL, "
                                 "tool TEXT GENERATED ALWAYS AS (json_extract(body, '$.\"mandate.tool.id\"')) VIRTUAL, "
                                 "action TEXT GENERATED ALWAYS AS (json_extract(body, '$.\"mandate.action\"')) VIRTUAL, "
                                 "decision TEXT GENERATED ALWAYS AS (json_extract(body, '$.\"mandate.decision\"')) VIRTUAL, "
                                 "trace_id TEXT GENERATED ALWAYS AS (json_extract(body, '$.trace_id')) VIRTUAL, "
                                 "UNIQUE (gateway, seq))"),
                  QStringLiteral("CREATE INDEX audit_time ON audit_records(time)"),
                  QStringLiteral("CREATE INDEX audit_human ON audit_records(human) WHERE human IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_agent ON audit_records(agent) WHERE agent IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_execution ON audit_records(execution) WHERE execution IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_parent ON audit_records(parent_execution) WHERE parent_execution IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_tool ON audit_records(tool) WHERE tool IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_action ON audit_records(action) WHERE action IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_decision ON audit_records(decision) WHERE decision IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_trace ON audit_records(trace_id) WHERE trace_id IS NOT NULL")}});
    list.append({6, QStringLiteral("policy set versions"),
                 {QStringLiteral("CREATE TABLE policy_sets (version INTEGER PRIMARY KEY NOT NULL, source TEXT NOT NULL, "
                                 "author TEXT NOT NULL, comment TEXT NOT NULL, created_at TEXT NOT NULL)")}});
    // Executions (core/session) and the broker's OAuth clients (core/broker). Times are epoch
    // seconds so that expiry is an integer comparison; the granted budget is immutable, the used
    // budget is charged with a single guarded UPDATE (no double spend across gateways).
    list.append({5, QStringLiteral("executions and OAuth clients"),
                 {QStringLiteral("CREATE TABLE executions (id TEXT PRIMARY KEY NOT NULL, agent TEXT NOT NULL, "
                                 "root_human TEXT NOT NULL, parent TEXT REFERENCES executions(id), status TEXT NOT NULL, "
                                 "issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, body TEXT NOT NULL, "
                                 "budget_calls INTEGER NOT NULL, budget_tokens INTEGER NOT NULL, budget_amount INTEGER NOT NULL, "
                                 "used_calls INTEGER NOT NULL DEFAULT 0, used_tokens INTEGER NOT NULL DEFAULT 0, "
                                 "used_amount INTEGER NOT NULL DEFAULT 0, risk_score INTEGER NOT NULL DEFAULT 0, "
                                 "session_calls INTEGER NOT NULL DEFAULT 0, session_denied INTEGER NOT NULL DEFAULT 0, "
                                 "ended_at INTEGER, end_reason TEXT)"),
                  QStringLiteral("CREATE INDEX executions_status ON executions(status, expires_at)"),
                  QStringLiteral("CREATE INDEX executions_agent ON executions(agent)"),
                  QStringLiteral("CREATE INDEX executions_root ON executions(root_human)"),
                  QStringLiteral("CREATE INDEX executions_parent ON executions(parent)"),
                  QStringLiteral("CREATE TABLE execution_actions (execution TEXT NOT NULL REFERENCES executions(id), "
                                 "action TEXT NOT NULL, PRIMARY KEY (execution, action))"),
                  QStringLiteral("CREATE TABLE oauth_clients (client_id TEXT PRIMARY KEY NOT NULL, secret_hash TEXT NOT NULL, "
                                 "created_at INTEGER NOT NULL)")}});
    // The audit query columns become plain columns that the AuditLog writes next to the body:
    // every index insert evaluated json_extract on a 1.3 KB body. The table is rebuilt (a
    // generated column cannot be altered), keeping every id, sequence, hash and seal; the values
    // come from the old generated columns, i.e. from the body. AuditVerifier reports a column
    // that disagrees with the body. `event` gets an index too: filtering by event scanned the log.
    // time and event are NOT NULL: a gateway still running older code, whose insert names no
    // columns, is refused (its calls fail closed) instead of writing records queries cannot
    // find. (A trigger saying so costs as much as the insert itself.)
    list.append({7, QStringLiteral("audit query columns written with the record"),
                 {QStringLiteral("CREATE TABLE audit_records_v7 (id INTEGER PRIMARY KEY, gateway TEXT NOT NULL, "
                                 "seq INTEGER NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL, body TEXT NOT NULL, seal BLOB, "
                                 "time TEXT NOT NULL, event TEXT NOT NULL, human TEXT, agent TEXT, execution TEXT, parent_execution TEXT, "
                                 "tool TEXT, action TEXT, decision TEXT, trace_id TEXT, UNIQUE (gateway, seq))"),
                  QStringLiteral("INSERT INTO audit_records_v7 (id, gateway, seq, prev_hash, hash, body, seal, time, event, human, "
                                 "agent, execution, parent_execution, tool, action, decision, trace_id) "
                                 "SELECT id, gateway, seq, prev_hash, hash, body, seal, time, event, human, agent, execution, "
                                 "parent_execution, tool, action, decision, trace_id FROM audit_records ORDER BY id"),
                  QStringLiteral("DROP TABLE audit_records"),
                  QStringLiteral("ALTER TABLE audit_records_v7 RENAME TO audit_records"),
                  QStringLiteral("CREATE INDEX audit_time ON audit_records(time)"),
                  QStringLiteral("CREATE INDEX audit_event ON audit_records(event)"),
                  QStringLiteral("CREATE INDEX audit_human ON audit_records(human) WHERE human IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_agent ON audit_records(agent) WHERE agent IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_execution ON audit_records(execution) WHERE execution IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_parent ON audit_records(parent_execution) WHERE parent_execution IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_tool ON audit_records(tool) WHERE tool IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_action ON audit_records(action) WHERE action IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_decision ON audit_records(decision) WHERE decision IS NOT NULL"),
                  QStringLiteral("CREATE INDEX audit_trace ON audit_records(trace_id) WHERE trace_id IS NOT NULL")}});
    // Each index of executions is one more page written by every mint. No query filters on
    // agent or root_human through an index (list() scans: its filters are optional), so those two
    // go; the parent index serves revocation's walk down the tree, which only follows non-null
    // parents, so root executions (the most common) no longer enter it.
    list.append({8, QStringLiteral("executions: only the indexes queries use"),
                 {QStringLiteral("DROP INDEX executions_agent"),
                  QStringLiteral("DROP INDEX executions_root"),
                  QStringLiteral("DROP INDEX executions_parent"),
                  QStringLiteral("CREATE INDEX executions_parent ON executions(parent) WHERE parent IS NOT NULL")}});
    // Trace ids are random: in id order each append's index entry went to a random page, about
    // one page written per record once the log is large. Ordered by the id's first byte, then
    // by record, a commit adds to the end of at most 256 runs (audit::AuditColumns::kTraceIdMatch
    // finds an id). Records without a trace id share one run, at its end.
    list.append({9, QStringLiteral("audit trace ids indexed by first byte, then record"),
                 {QStringLiteral("DROP INDEX audit_trace"),
                  QStringLiteral("CREATE INDEX audit_trace ON audit_records(substr(trace_id, 1, 2), id, trace_id)")}});
    // Many people's records interleave, so the index in name order took each append at a
    // scattered page. human_bucket mixes a few characters of the name into 64 runs; generated,
    // it cannot disagree with `human`, which the verifier checks against the body. Records
    // without a human share one run. (Schema 11 replaces the column with an expression index.)
    list.append({10, QStringLiteral("audit humans indexed by bucket, then record"),
                 {QStringLiteral("ALTER TABLE audit_records ADD COLUMN human_bucket INTEGER GENERATED ALWAYS AS (("
                                 "coalesce(unicode(substr(human, 1, 1)), 0) + 3 * coalesce(unicode(substr(human, 2, 1)), 0) "
                                 "+ 5 * coalesce(unicode(substr(human, 3, 1)), 0) + 7 * coalesce(unicode(substr(human, -1, 1)), 0) "
                                 "+ 11 * coalesce(unicode(substr(human, -2, 1)), 0) + 13 * coalesce(unicode(substr(human, -3, 1)), 0) "
                                 "+ 17 * length(human)) % 64) VIRTUAL"),
                  QStringLiteral("DROP INDEX audit_human"),
                  QStringLiteral("CREATE INDEX audit_human ON audit_records(human_bucket, id, human)")}});
    // Review found that schema 10 let an edit of the schema alone hide a person's records: the
    // bucket's formula was stored (a generated column) while queries bound a bucket computed in
    // C++, so a changed formula put records where no query looked, and neither the chain nor
    // integrity_check noticed. The index is now on the expression itself and queries spell the
    // same expression out (audit::AuditColumns::humanMatch()): an index whose expression was
    // changed no longer matches the query and goes unused. The column was VIRTUAL: dropping it
    // rewrites no row.
    list.append({11, QStringLiteral("audit humans indexed by an expression queries repeat"),
                 {QStringLiteral("DROP INDEX audit_human"),
                  QStringLiteral("ALTER TABLE audit_records DROP COLUMN human_bucket"),
                  QStringLiteral(
                      "CREATE INDEX audit_human ON audit_records(((coalesce(unicode(substr(human, 1, 1)), 0) + "
                      "3 * coalesce(unicode(substr(human, 2, 1)), 0) + 5 * coalesce(unicode(substr(human, 3, "
                      "1)), 0) + 7 * coalesce(unicode(substr(human, -1, 1)), 0) + 11 * "
                      "coalesce(unicode(substr(human, -2, 1)), 0) + 13 * coalesce(unicode(substr(human, -3, "
                      "1)), 0) + 17 * length(human)) % 64), id, human)")}});
    // A deleted record's last version, so that one created again under its id starts above it:
    // an ETag (If-Match) taken from the old record must not match the new one.
    list.append({12, QStringLiteral("registry versions of deleted records"),
                 {QStringLiteral("CREATE TABLE registry_deleted (kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, "
                                 "PRIMARY KEY (kind, id)) WITHOUT ROWID")}});
    // Entries are owned by different modules and may be appended out of order.
    std::sort(list.begin(), list.end(), [](const Migration &a, const Migration &b) { return a.version < b.version; });
    return list;
}

} // namespace

const QList<Migration> &Schema::migrations()
{
    static const QList<Migration> list = buildMigrations();
    return list;
}

int Schema::currentVersion()
{
    return migrations().constLast().version;
}

QMap<QString, QString> Schema::indexesAndTriggers(sqlite3 *db, const QString &table)
{
    QMap<QString, QString> found;
    const QByteArray tableUtf8 = table.toUtf8();
    sqlite3_stmt *objects = nullptr;
    // Table names are case-insensitive: a trigger keeps the spelling its CREATE used.
    if (sqlite3_prepare_v2(db, "SELECT type, name, sql FROM sqlite_schema "
                               "WHERE (type = 'index' AND lower(tbl_name) = lower(?)) OR type = 'trigger' ORDER BY name",
                           -1, &objects, nullptr) != SQLITE_OK)
        return found;
    sqlite3_bind_text(objects, 1, tableUtf8.constData(), int(tableUtf8.size()), SQLITE_STATIC);
    const auto text = [](sqlite3_stmt *statement, int column) {
        const auto *bytes = reinterpret_cast<const char *>(sqlite3_column_text(statement, column));
        return bytes ? QString::fromUtf8(bytes) : QStringLiteral("NULL");
    };
    while (sqlite3_step(objects) == SQLITE_ROW) {
        const QString type = text(objects, 0), name = text(objects, 1);
        QString description = type + u' ' + text(objects, 2);
        if (type == QLatin1String("index")) {
            sqlite3_stmt *keys = nullptr;
            const QByteArray nameUtf8 = name.toUtf8();
            if (sqlite3_prepare_v2(db, "SELECT seqno, cid, name, \"desc\", coll, key FROM pragma_index_xinfo(?)", -1, &keys, nullptr)
                == SQLITE_OK) {
                sqlite3_bind_text(keys, 1, nameUtf8.constData(), int(nameUtf8.size()), SQLITE_STATIC);
                while (sqlite3_step(keys) == SQLITE_ROW) {
                    description += u'\n';
                    for (int c = 0; c < 6; ++c)
                        description += text(keys, c) + u'|';
                }
            }
            sqlite3_finalize(keys);
        }
        found.insert(name, description);
    }
    sqlite3_finalize(objects);
    return found;
}

QMap<QString, QString> Schema::expectedIndexesAndTriggers(const QString &table)
{
    static std::mutex mutex;
    static QMap<QString, QMap<QString, QString>> known;
    const std::lock_guard lock(mutex);
    if (const auto found = known.constFind(table); found != known.cend())
        return *found;
    const NativeConnection db = openNativeConnection(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!db)
        return {};
    for (const Migration &migration : migrations()) {
        for (const QString &statement : migration.statements) {
            if (sqlite3_exec(db.get(), statement.toUtf8().constData(), nullptr, nullptr, nullptr) != SQLITE_OK)
                return {};  // not kept: every caller sees the failure
        }
    }
    const QMap<QString, QString> expected = indexesAndTriggers(db.get(), table);
    known.insert(table, expected);
    return expected;
}

} // namespace mandate::store
