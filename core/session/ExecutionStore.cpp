// SPDX-License-Identifier: Apache-2.0
#include "session/ExecutionStore.h"

#include "common/Logging.h"
#include "session/ExecutionErrors.h"
#include "store/Database.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QVariant>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include <sqlite3.h>

namespace mandate::session {

using identity::Execution;

namespace {

const QString kStateColumns = QStringLiteral(
    "id, status, expires_at, body, used_calls, used_tokens, used_amount, risk_score, session_calls, "
    "session_denied, ended_at, end_reason, budget_calls, budget_tokens, budget_amount");

/// Binds the three dimensions of a charge; the same names are used by every guarded UPDATE.
void bindCharge(QSqlQuery &query, const Charge &charge)
{
    query.bindValue(QStringLiteral(":c"), charge.calls);
    query.bindValue(QStringLiteral(":t"), charge.tokens);
    query.bindValue(QStringLiteral(":a"), charge.amount.units());
}

// The budget check lives in the WHERE clause: the row is only changed when every dimension
// still fits, atomically with the change itself.
const QString kGuardedCharge = QStringLiteral(
    "UPDATE executions SET used_calls = used_calls + :c, used_tokens = used_tokens + :t, "
    "used_amount = used_amount + :a WHERE id = :id AND status = 'active' AND expires_at > :now "
    "AND used_calls + :c <= budget_calls AND used_tokens + :t <= budget_tokens "
    "AND used_amount + :a <= budget_amount");

/// The new risk score, kept within [0, MaxRiskScore]: past the ceiling more denials change
/// nothing, and an unbounded counter would only overflow one day. CASE (not MIN/MAX) so that the
/// same SQL runs on PostgreSQL.
QString clampedRisk()
{
    return QStringLiteral("CASE WHEN risk_score + :risk < 0 THEN 0 WHEN risk_score + :risk2 > %1 THEN %1 ELSE risk_score + :risk3 END")
        .arg(ExecutionStore::MaxRiskScore);
}

void bindRisk(QSqlQuery &query, int riskDelta)
{
    for (const char *name : {":risk", ":risk2", ":risk3"})
        query.bindValue(QLatin1String(name), riskDelta);
}

} // namespace

ExecutionStore::ExecutionStore(const store::Database &database, const Clock &clock, QObject *parent)
    : QObject(parent), m_db(database), m_clock(clock), m_creates(database), m_recent(clock)
{
    qRegisterMetaType<ExecutionChange>();
}

struct ExecutionStore::ThreadStatements
{
    std::array<std::optional<QSqlQuery>, 8> queries;  // one per Hot
};

ExecutionStore::~ExecutionStore()
{
    // Records still queued by createThen() are committed now, while what their completions use
    // (the state cache, this thread's statements) is still here.
    m_creates.stop();
}

QSqlQuery &ExecutionStore::hot(Hot which) const
{
    ThreadStatements *statements = nullptr;
    {
        std::lock_guard lock(m_statementsMutex);
        auto &slot = m_statements[QThread::currentThread()];
        if (!slot)
            slot = std::make_unique<ThreadStatements>();
        statements = slot.get();
    }
    std::optional<QSqlQuery> &query = statements->queries[size_t(which)];
    if (!query) {
        query.emplace(m_db.connection());
        query->setForwardOnly(true);
        switch (which) {
        case Hot::State:
            query->prepare(QStringLiteral("SELECT ") + kStateColumns + QStringLiteral(" FROM executions WHERE id = :id"));
            break;
        case Hot::Actions:
            query->prepare(QStringLiteral("SELECT action FROM execution_actions WHERE execution = :id ORDER BY action"));
            break;
        case Hot::Get:
            query->prepare(QStringLiteral("SELECT status, body FROM executions WHERE id = :id"));
            break;
        case Hot::Charge:
            query->prepare(kGuardedCharge);
            break;
        case Hot::Insert:
            // The starting risk is bound (?11), not returned: SQLite gathers RETURNING rows in a
            // temporary B-tree that every insert would open, fill and drop.
            query->prepare(QStringLiteral(
                "INSERT INTO executions (id, agent, root_human, parent, status, issued_at, expires_at, body, "
                "budget_calls, budget_tokens, budget_amount, risk_score) VALUES (?1, ?2, ?3, ?4, 'active', ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
            break;
        case Hot::Risk:
            query->prepare(QStringLiteral("SELECT risk_score FROM executions WHERE id = ?1"));
            break;
        case Hot::Session:
            query->prepare(QStringLiteral(
                "UPDATE executions SET session_calls = session_calls + :calls, session_denied = session_denied + :denied, "
                "risk_score = ") + clampedRisk() + QStringLiteral(" WHERE id = :id"));
            break;
        case Hot::SessionAction:
            query->prepare(QStringLiteral("INSERT INTO execution_actions (execution, action) VALUES (:id, :action) "
                                          "ON CONFLICT DO NOTHING"));
            break;
        }
    }
    return *query;
}

namespace {

/// Binds and steps the prepared INSERT (Hot::Insert) natively: through QSqlQuery::bindValue()
/// each column became a QVariant, and the JSON body went from UTF-8 to UTF-16 and back inside
/// SQLite.
Status insertExecution(QSqlQuery &insert, const Execution &execution, const QByteArray &body, int riskScore)
{
    const QString what = QStringLiteral("cannot record execution %1").arg(execution.id);
    sqlite3_stmt *statement = store::Database::nativeStatement(insert);
    // Qt Sql renames the placeholders before SQLite sees them; they stay eleven, in this order.
    constexpr int kParameters = 11;
    if (!statement || sqlite3_bind_parameter_count(statement) != kParameters) {
        const QString why = insert.lastError().text();
        return Error{QStringLiteral("store_error"),
                     what + QStringLiteral(": the INSERT is not prepared%1").arg(why.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(why))};
    }
    int bound = SQLITE_OK;
    const auto bindText = [&](int index, const QString &text) {  // they outlive the step
        bound |= sqlite3_bind_text16(statement, index, text.utf16(), int(text.size() * 2), SQLITE_STATIC);
    };
    const QString root = execution.rootHuman();
    bindText(1, execution.id);
    bindText(2, execution.agent);
    bindText(3, root);
    if (execution.parent.isEmpty())
        bound |= sqlite3_bind_null(statement, 4);
    else
        bindText(4, execution.parent);
    bound |= sqlite3_bind_int64(statement, 5, execution.issuedAt.toSecsSinceEpoch());
    bound |= sqlite3_bind_int64(statement, 6, execution.expiresAt.toSecsSinceEpoch());
    bound |= sqlite3_bind_text(statement, 7, body.constData(), int(body.size()), SQLITE_STATIC);
    bound |= sqlite3_bind_int64(statement, 8, execution.budget.calls);
    bound |= sqlite3_bind_int64(statement, 9, execution.budget.tokens);
    bound |= sqlite3_bind_int64(statement, 10, execution.budget.amount.units());
    bound |= sqlite3_bind_int(statement, 11, riskScore);
    const int rc = bound == SQLITE_OK ? sqlite3_step(statement) : bound;
    const Status status = rc == SQLITE_DONE ? Status::success() : Status(store::Database::nativeError(what, sqlite3_db_handle(statement)));
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);  // the body it points at is about to go
    return status;
}

} // namespace

Result<ExecutionStore::NewExecution> ExecutionStore::prepareNew(const Execution &execution) const
{
    if (execution.id.isEmpty() || execution.agent.isEmpty() || execution.chain.isEmpty())
        return Error{QStringLiteral("invalid"), QStringLiteral("an execution needs an id, an agent and a chain")};
    if (execution.budget.calls < 0 || execution.budget.tokens < 0 || execution.budget.amount.units() < 0)
        return Error{QStringLiteral("invalid"), QStringLiteral("a budget cannot be negative")};
    NewExecution created;
    created.readAt = m_recent.generation();
    created.execution = execution;
    created.execution.status = Execution::Status::Active;
    created.body = created.execution.toCompactJson();  // before any write lock
    if (!execution.parent.isEmpty())
        created.parentPendingRisk = pendingRisk(execution.parent);
    return created;
}

Status ExecutionStore::writeNew(NewExecution &created)
{
    // A root execution is one INSERT; a sub-execution also reserves its budget from the parent,
    // in the same transaction.
    const Execution &execution = created.execution;
    if (!execution.parent.isEmpty()) {
        QSqlQuery &reserve = hot(Hot::Charge);
        bindCharge(reserve, execution.budget);
        reserve.bindValue(QStringLiteral(":id"), execution.parent);
        reserve.bindValue(QStringLiteral(":now"), m_clock.nowSecs());  // when written, not when queued
        if (!reserve.exec())
            return store::Database::sqlError(QStringLiteral("cannot reserve the parent's budget"), reserve);
        const bool reserved = reserve.numRowsAffected() == 1;
        reserve.finish();
        if (!reserved) {
            auto why = explainRefusal(execution.parent, execution.budget, QStringLiteral("parent execution"));
            return why ? Error{QStringLiteral("budget_exhausted"), QStringLiteral("the parent's budget changed concurrently")}
                       : why.error();
        }
    }
    // A sub-execution starts where its parent's risk stands when it is written (read in this
    // transaction, under the write lock), with what was decided for the parent but not yet
    // written: a child starting at 0 would have more room than its parent has left. A root
    // starts at 0. The score is kept for the state announceNew() caches.
    created.riskScore = 0;
    if (!execution.parent.isEmpty()) {
        auto parentRisk = storedRisk(execution.parent);
        if (!parentRisk)
            return parentRisk.error();
        created.riskScore = std::clamp(parentRisk.value() + created.parentPendingRisk, 0, MaxRiskScore);
    }
    return insertExecution(hot(Hot::Insert), execution, created.body, created.riskScore);
}

Result<int> ExecutionStore::storedRisk(const QString &id) const
{
    QSqlQuery &query = hot(Hot::Risk);
    sqlite3_stmt *statement = store::Database::nativeStatement(query);
    if (!statement || sqlite3_bind_parameter_count(statement) != 1)
        return Error{QStringLiteral("store_error"), QStringLiteral("cannot read the risk of %1: the SELECT is not prepared").arg(id)};
    int rc = sqlite3_bind_text16(statement, 1, id.utf16(), int(id.size() * 2), SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(statement);
    Result<int> risk = 0;  // a parent that is gone: its reservation above has refused already
    if (rc == SQLITE_ROW)
        risk = sqlite3_column_int(statement, 0);
    else if (rc != SQLITE_DONE)
        risk = store::Database::nativeError(QStringLiteral("cannot read the risk of %1").arg(id), sqlite3_db_handle(statement));
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    return risk;
}

void ExecutionStore::announceNew(NewExecution created)
{
    // What was just committed is the execution's whole state: nothing used, no calls yet, and
    // its parent's risk (or none). Its record is cached with it, in the same entry.
    const Execution &execution = created.execution;
    const ExecutionChange started{ExecutionChange::Kind::Started, execution.id, execution.agent, execution.rootHuman(),
                                  execution.parent, {}, m_clock.now()};
    const QString parent = execution.parent;
    ExecutionState fresh;
    fresh.remaining = execution.budget;
    fresh.riskScore = created.riskScore;
    fresh.execution = std::move(created.execution);
    m_recent.insert(std::move(fresh), created.readAt);
    if (!parent.isEmpty())
        m_recent.invalidate(parent);  // its budget reserved the new one's
    emitAll({started});
}

namespace {

/// A root's record is a single INSERT, which needs no savepoint of its own in a shared batch; a
/// sub-execution's also reserves its budget from the parent, and the two must stand together.
store::GroupCommitter::Undo undoOfNew(const Execution &execution)
{
    return execution.parent.isEmpty() ? store::GroupCommitter::Undo::Statement : store::GroupCommitter::Undo::Savepoint;
}

} // namespace

Status ExecutionStore::create(const Execution &execution)
{
    auto created = prepareNew(execution);
    if (!created)
        return created.error();
    // Concurrent mints share their transactions (group commit).
    const Status written = m_creates.run([&] { return writeNew(created.value()); }, undoOfNew(execution));
    if (!written)
        return written;
    announceNew(std::move(created).value());
    return Status::success();
}

void ExecutionStore::createThen(const Execution &execution, std::function<void(const Status &)> done)
{
    auto created = prepareNew(execution);
    if (!created)
        return done(created.error());
    auto record = std::make_shared<NewExecution>(std::move(created).value());
    m_creates.submit([this, record] { return writeNew(*record); },
                     undoOfNew(execution),
                     [this, record, done = std::move(done)](const Status &written) {
                         if (written)
                             announceNew(std::move(*record));
                         done(written);
                     });
}

Result<Execution> ExecutionStore::record(const QString &id, const QString &body) const
{
    if (std::optional<Execution> cached = m_recent.record(id))
        return std::move(*cached);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body.toUtf8(), &parseError);
    std::vector<Error> errors;
    Execution execution = Execution::fromJson(document.object(), QString(), errors);
    if (parseError.error != QJsonParseError::NoError || !document.isObject() || !errors.empty())
        return Error{QStringLiteral("store_corrupt"), QStringLiteral("execution %1 has an unreadable record").arg(id)};
    m_recent.insertRecord(id, execution);
    return execution;
}

Result<QStringList> ExecutionStore::sessionActions(const QString &id) const
{
    QSqlQuery &query = hot(Hot::Actions);
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot read the session of %1").arg(id), query);
    QStringList actions;
    while (query.next())
        actions.append(query.value(0).toString());
    query.finish();  // ends the read transaction: a kept snapshot would go stale
    return actions;
}

Result<ExecutionState> ExecutionStore::stateFromRow(const QSqlQuery &row) const
{
    const QString id = row.value(0).toString();
    auto execution = record(id, row.value(3).toString());
    if (!execution)
        return execution.error();
    ExecutionState state;
    state.execution = std::move(execution).value();
    const auto stored = Execution::statusFromName(row.value(1).toString());
    if (!stored)
        return Error{QStringLiteral("store_corrupt"), QStringLiteral("execution %1 has an unknown status").arg(id)};
    state.execution.status = *stored;
    state.status = *stored;
    if (*stored == Execution::Status::Active && row.value(2).toLongLong() <= m_clock.nowSecs())
        state.status = Execution::Status::Expired;
    state.used.calls = row.value(4).toLongLong();
    state.used.tokens = row.value(5).toLongLong();
    state.used.amount = identity::Amount::fromUnits(row.value(6).toLongLong());
    state.riskScore = row.value(7).toInt();
    state.sessionCalls = row.value(8).toLongLong();
    state.sessionDenied = row.value(9).toLongLong();
    state.endedAt = row.value(10).toLongLong();
    state.endReason = row.value(11).toString();
    // The granted budget comes from its columns: they are what charges are checked against.
    state.execution.budget.calls = row.value(12).toLongLong();
    state.execution.budget.tokens = row.value(13).toLongLong();
    state.execution.budget.amount = identity::Amount::fromUnits(row.value(14).toLongLong());
    const identity::Budget &granted = state.execution.budget;
    state.remaining.calls = std::max<qint64>(0, granted.calls - state.used.calls);
    state.remaining.tokens = std::max<qint64>(0, granted.tokens - state.used.tokens);
    state.remaining.amount = identity::Amount::fromUnits(std::max<qint64>(0, granted.amount.units() - state.used.amount.units()));
    // Actions are recorded with the call counter in one transaction: no calls, no actions.
    if (state.sessionCalls > 0) {
        auto actions = sessionActions(id);
        if (!actions)
            return actions.error();
        state.sessionActions = std::move(actions).value();
    }
    return state;
}

Result<Execution> ExecutionStore::get(const QString &id) const
{
    QSqlQuery &query = hot(Hot::Get);
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot read execution %1").arg(id), query);
    if (!query.next()) {
        query.finish();
        return notFound(id);
    }
    const QString status = query.value(0).toString();
    const QString body = query.value(1).toString();
    query.finish();
    auto execution = record(id, body);
    if (!execution)
        return execution.error();
    if (const auto parsed = Execution::statusFromName(status))
        execution->status = *parsed;
    return execution;
}

Result<ExecutionState> ExecutionStore::state(const QString &id) const
{
    QSqlQuery &query = hot(Hot::State);
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot read execution %1").arg(id), query);
    if (!query.next()) {
        query.finish();
        return notFound(id);
    }
    // stateFromRow reads the row before it runs the actions query on this connection.
    auto state = stateFromRow(query);
    query.finish();
    return state;
}

Result<ExecutionState> ExecutionStore::recentState(const QString &id) const
{
    if (std::optional<ExecutionState> cached = m_recent.find(id))
        return std::move(*cached);
    const quint64 readAt = m_recent.generation();
    auto stored = state(id);
    if (stored)
        m_recent.insert(stored.value(), readAt);
    return stored;
}

void ExecutionStore::forgetRecentState(const QString &id) const
{
    m_recent.invalidate(id);
}

Result<std::vector<Execution>> ExecutionStore::ancestors(const QString &id) const
{
    QSqlQuery query(m_db.connection());
    // Bounded recursion: a chain is short by construction, a corrupt cycle must not hang us.
    query.prepare(QStringLiteral(
        "WITH RECURSIVE up(id, parent, n) AS (SELECT id, parent, 0 FROM executions WHERE id = :id "
        "UNION ALL SELECT e.id, e.parent, up.n + 1 FROM executions e JOIN up ON e.id = up.parent WHERE up.n < 64) "
        "SELECT id FROM up WHERE n > 0 ORDER BY n"));
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot read the ancestors of %1").arg(id), query);
    QStringList ids;
    while (query.next())
        ids.append(query.value(0).toString());
    std::vector<Execution> result;
    for (const QString &ancestor : std::as_const(ids)) {
        auto execution = get(ancestor);
        if (!execution)
            return execution.error();
        result.push_back(std::move(execution).value());
    }
    return result;
}

Result<ExecutionState> ExecutionStore::explainRefusal(const QString &id, const Charge &charge, const QString &what) const
{
    auto current = state(id);
    if (!current)
        return current.error();
    if (!current->isActive())
        return inactive(id, current->status);
    if (std::optional<Error> over = overBudget(what, id, charge, current->remaining))
        return *over;
    return current;  // it fits now: the refusal was a race with another change
}

Result<ExecutionState> ExecutionStore::charge(const QString &id, const Charge &charge)
{
    if (charge.calls < 0 || charge.tokens < 0 || charge.amount.units() < 0)
        return Error{QStringLiteral("invalid"), QStringLiteral("a charge cannot be negative")};
    // A refusal that turns out to fit was a concurrent change (a revocation, another charge):
    // try again a few times rather than refuse a call that is within budget.
    for (int attempt = 0; attempt < 3; ++attempt) {
        // The same guarded UPDATE, here in a transaction of its own (autocommit).
        const Result<bool> charged = chargeInTransaction(id, charge);
        if (!charged)
            return charged.error();
        if (charged.value())
            return state(id);
        auto why = explainRefusal(id, charge, QStringLiteral("execution"));
        if (!why)
            return why.error();
    }
    return Error{QStringLiteral("budget_exhausted"), QStringLiteral("execution %1: the charge kept conflicting with concurrent changes").arg(id)};
}

Result<bool> ExecutionStore::chargeInTransaction(const QString &id, const Charge &charge)
{
    QSqlQuery &query = hot(Hot::Charge);
    bindCharge(query, charge);
    query.bindValue(QStringLiteral(":id"), id);
    query.bindValue(QStringLiteral(":now"), m_clock.nowSecs());
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot charge execution %1").arg(id), query);
    const bool charged = query.numRowsAffected() == 1;
    query.finish();
    m_recent.invalidate(id);  // and again by the caller once its transaction is over
    return charged;
}

Result<bool> ExecutionStore::refundInTransaction(const QString &id, const Charge &charge)
{
    // CASE (not MAX) so that the same SQL runs on PostgreSQL.
    QSqlQuery query(m_db.connection());
    query.prepare(QStringLiteral(
        "UPDATE executions SET used_calls = CASE WHEN used_calls < :c THEN 0 ELSE used_calls - :c2 END, "
        "used_tokens = CASE WHEN used_tokens < :t THEN 0 ELSE used_tokens - :t2 END, "
        "used_amount = CASE WHEN used_amount < :a THEN 0 ELSE used_amount - :a2 END WHERE id = :id"));
    bindCharge(query, charge);
    query.bindValue(QStringLiteral(":c2"), charge.calls);
    query.bindValue(QStringLiteral(":t2"), charge.tokens);
    query.bindValue(QStringLiteral(":a2"), charge.amount.units());
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot give back a charge of execution %1").arg(id), query);
    const bool refunded = query.numRowsAffected() == 1;
    m_recent.invalidate(id);  // and again by the caller once its transaction is over
    return refunded;
}

Status ExecutionStore::applyUpdate(const SessionUpdate &entry)
{
    QSqlQuery &update = hot(Hot::Session);
    update.bindValue(QStringLiteral(":calls"), entry.countsAsCall ? 1 : 0);
    update.bindValue(QStringLiteral(":denied"), entry.countsAsCall && !entry.allowed ? 1 : 0);
    bindRisk(update, entry.riskDelta);
    update.bindValue(QStringLiteral(":id"), entry.id);
    if (!update.exec())
        return store::Database::sqlError(QStringLiteral("cannot record a call of %1").arg(entry.id), update);
    const bool found = update.numRowsAffected() == 1;
    update.finish();
    m_recent.invalidate(entry.id);  // and again once the transaction is over
    if (!found)
        return notFound(entry.id);
    if (entry.countsAsCall && entry.allowed && !entry.action.isEmpty()) {
        QSqlQuery &insert = hot(Hot::SessionAction);
        insert.bindValue(QStringLiteral(":id"), entry.id);
        insert.bindValue(QStringLiteral(":action"), entry.action);
        if (!insert.exec())
            return store::Database::sqlError(QStringLiteral("cannot record action of %1").arg(entry.id), insert);
        insert.finish();
    }
    return Status::success();
}

Status ExecutionStore::recordCall(const QString &id, const QString &action, bool allowed, int riskDelta)
{
    return recordCalls({SessionUpdate{id, action, true, allowed, riskDelta}});
}

Status ExecutionStore::adjustRisk(const QString &id, int riskDelta)
{
    return recordCalls({SessionUpdate{id, QString(), false, true, riskDelta}});
}

Status ExecutionStore::recordCalls(const std::vector<SessionUpdate> &updates)
{
    if (updates.empty())
        return Status::success();
    const Status written = m_db.transaction([&]() { return applyUpdates(updates); });
    for (const SessionUpdate &update : updates)
        m_recent.invalidate(update.id);
    return written;
}

Status ExecutionStore::applyUpdates(const std::vector<SessionUpdate> &updates)
{
    for (const SessionUpdate &update : updates) {
        if (Status applied = applyUpdate(update); !applied)
            return applied;
    }
    return Status::success();
}

Result<qint64> ExecutionStore::countActive() const
{
    QSqlQuery query(m_db.connection());
    query.prepare(QStringLiteral("SELECT count(*) FROM executions WHERE status = 'active' AND expires_at > ?"));
    query.addBindValue(m_clock.nowSecs());
    if (!query.exec() || !query.next())
        return store::Database::sqlError(QStringLiteral("cannot count the active executions"), query);
    return query.value(0).toLongLong();
}

Result<std::vector<ExecutionState>> ExecutionStore::list(const ExecutionFilter &filter) const
{
    if (!filter.status.isEmpty() && !Execution::statusFromName(filter.status))
        return Error{QStringLiteral("bad_request"),
                     QStringLiteral("status must be one of active, completed, expired, revoked; got \"%1\"").arg(filter.status)};
    QSqlQuery query(m_db.connection());
    // Effective status: an active row past its expiry lists as expired.
    query.prepare(QStringLiteral("SELECT ") + kStateColumns + QStringLiteral(
        " FROM executions WHERE "
        "(:hasStatus = 0 OR (CASE WHEN status = 'active' AND expires_at <= :now THEN 'expired' ELSE status END) = :status) "
        "AND (:hasAgent = 0 OR agent = :agent) AND (:hasRoot = 0 OR root_human = :root) "
        "AND (:hasParent = 0 OR parent = :parent) ORDER BY issued_at DESC, id LIMIT :limit"));
    const auto bindFilter = [&query](const char *name, const QString &value) {
        const QString key = QLatin1Char(':') + QLatin1String(name);
        QString flag = QStringLiteral(":has") + QLatin1String(name);
        flag[4] = flag[4].toUpper();
        query.bindValue(flag, value.isEmpty() ? 0 : 1);
        query.bindValue(key, value.isEmpty() ? QStringLiteral("-") : value);
    };
    bindFilter("status", filter.status);
    bindFilter("agent", filter.agent);
    bindFilter("root", filter.rootHuman);
    bindFilter("parent", filter.parent);
    query.bindValue(QStringLiteral(":now"), m_clock.nowSecs());
    query.bindValue(QStringLiteral(":limit"), std::clamp(filter.limit, 1, 5000));
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot list executions"), query);
    std::vector<ExecutionState> states;
    while (query.next()) {
        auto state = stateFromRow(query);
        if (!state)
            return state.error();
        states.push_back(std::move(state).value());
    }
    return states;
}

void ExecutionStore::emitAll(const std::vector<ExecutionChange> &changes)
{
    for (const ExecutionChange &change : changes)
        Q_EMIT changed(change);
}

} // namespace mandate::session
