// SPDX-License-Identifier: Apache-2.0
#include "firewall/DecisionPipeline.h"

#include "common/Logging.h"
#include "crypto/Random.h"
#include "firewall/CedarRequestBuilder.h"
#include "firewall/CedarRequestWriter.h"
#include "firewall/PlainArguments.h"
#include "firewall/TraceContext.h"
#include "policy/Authorizer.h"

#include <QElapsedTimer>
#include <QScopeGuard>

#include <algorithm>
#include <optional>

namespace mandate::firewall {

using identity::Amount;
using identity::Budget;

DecisionPipeline::DecisionPipeline(Services services) : m_services(std::move(services)) {}

void DecisionPipeline::invalidateRegistryCache()
{
    std::lock_guard lock(m_cacheMutex);
    m_agents.clear();
    m_tools.clear();
    ++m_cacheGeneration;
}

template<typename Record, typename Load>
Result<Record> DecisionPipeline::cached(QHash<QString, Cached<Record>> &cache, const QString &id, Load load)
{
    const qint64 now = m_services.clock.nowSecs();
    quint64 generation = 0;
    {
        std::lock_guard lock(m_cacheMutex);
        // Registry::changed reports this gateway's writes; another gateway's (a suspended agent)
        // reach this one when the record is read again.
        if (const auto it = cache.constFind(id); it != cache.constEnd() && now >= it->loadedAt && now - it->loadedAt < kRegistryCacheSecs)
            return it->record;
        generation = m_cacheGeneration;
    }
    Result<Record> loaded = load();
    std::lock_guard lock(m_cacheMutex);
    // Read before an invalidation that happened meanwhile: it may be the old record, so it is
    // used for this call only and not kept.
    if (loaded && generation == m_cacheGeneration)
        cache.insert(id, Cached<Record>{loaded.value(), now});
    return loaded;
}

Result<identity::Agent> DecisionPipeline::agent(const QString &id)
{
    return cached(m_agents, id, [&] { return m_services.registry.agent(id); });
}

Result<identity::Tool> DecisionPipeline::tool(const QString &id)
{
    return cached(m_tools, id, [&] { return m_services.registry.tool(id); });
}

void DecisionPipeline::deny(CallDecision &decision, const QString &step, int status, const QString &message) const
{
    decision.allowed = false;
    decision.step = step;
    decision.httpStatus = status;
    decision.message = message;
    decision.retryAfterSecs = 0;  // a rate-limit denial sets it after
}

namespace {

/// What the tool path spends: one call, the model tokens the agent reports, and the money the
/// call moves when its arguments carry an amount.
Budget costOf(const CallRequest &call)
{
    Budget cost;
    cost.calls = 1;
    cost.tokens = call.modelTokens;
    if (const QJsonValue amount = call.args.value(QStringLiteral("amount")); amount.isString()) {
        if (const auto parsed = Amount::parse(amount.toString()))
            cost.amount = *parsed;
    }
    return cost;
}

QString policyLabel(const policy::Policy *policy)
{
    const QString id = policy->annotation(QStringLiteral("id"));
    return id.isEmpty() ? policy->id : id;
}

} // namespace

audit::AuditRecord DecisionPipeline::baseRecord(const CallRequest &call, const CallDecision &decision) const
{
    audit::AuditRecord record;
    record.time = m_services.clock.now();
    record.gatewayId = m_services.gatewayId;
    record.traceId = decision.traceId;
    record.spanId = decision.spanId;
    record.tool = call.tool;
    record.action = call.action;
    record.resource = QJsonObject{{QStringLiteral("type"), QStringLiteral("Tool")}, {QStringLiteral("id"), call.tool}};
    record.decisionId = decision.decisionId;
    record.statedReason = call.statedReason;
    if (decision.hasExecution) {
        const identity::Execution &execution = decision.view.execution;
        record.rootHuman = execution.rootHuman();
        record.delegationChain = execution.chain;
        record.agent = execution.agent;
        record.execution = execution.id;
        record.parentExecution = execution.parent;
        record.purpose = execution.purpose;
    }
    return record;
}

/// One decision from its first step until its caller has it: what finish() and settle() need,
/// shared between the deciding thread and the commit thread.
struct DecisionPipeline::Pending
{
    CallRequest call;
    CallDecision decision;
    Budget budgetBefore;
    int riskDelta = 0;
    std::optional<Budget> charged;  ///< the charge held for an allowed call, made durable with its record
    std::optional<Budget> unsettledCharge;  ///< held and not yet settled: given back if the decision never gets there
    int denialRisk = 0;             ///< the risk step of a denial, when the database refuses the charge
    bool deferredCharge = false;    ///< the charge is written with the record (a companion write)
    bool blocking = true;           ///< decide(): settle on the deciding thread
    QDateTime recordTime;
    Decided done;
    ExecutionLocks::Guard executionLock;  ///< from the view under it until reserved and queued
    std::optional<SessionEffect> reserved;      ///< shown in the execution's session until settled
    bool effectWithRecord = false;              ///< `reserved` commits with the record (writeWithRecord())
    ExecutionAuthority *authority = nullptr;    ///< gives up a reservation left open by an exception

    ~Pending()
    {
        // A reservation handed to the record's batch is that batch's to settle (or, should it
        // fail, left reserved: counted too much rather than given up twice).
        if (reserved && authority && !effectWithRecord)
            (void)authority->settleCall(*reserved, std::nullopt);
        if (unsettledCharge && authority)  // an exception between holding it and settling it
            authority->settleCharge(decision.view.execution.id, *unsettledCharge, false);
    }
};

DecisionPipeline::~DecisionPipeline() = default;

namespace {

/// The gateway's store failing (busy, locked, an I/O error, a damaged file): nothing the agent
/// did, so neither a 401 that tells it to drop a good token nor a 403 that adds to its risk.
bool isGatewayFailure(const Error &error)
{
    return error.code == QLatin1String("busy") || error.code.startsWith(QLatin1String("store_"));
}

/// A call the gateway could not serve (refused with a 5xx at the request step: a tool it cannot
/// inspect, registry data that does not fit the schema; or at the budget step: a store that
/// cannot charge) is not one of the agent's calls: the session's counters, which policies
/// read, stay as they were. (A call whose record cannot be written still counts as denied.)
bool countsInSession(const CallDecision &decision)
{
    const bool gatewaysFailing = !decision.allowed && decision.httpStatus >= 500
                                 && (decision.step == QLatin1String("request") || decision.step == QLatin1String("budget"));
    return decision.hasExecution && !gatewaysFailing;
}

} // namespace

void DecisionPipeline::finish(const std::shared_ptr<Pending> &pending)
{
    const CallRequest &call = pending->call;
    const CallDecision &decision = pending->decision;
    // The next decision of this execution sees this one's effect from here on.
    if (countsInSession(decision)) {
        pending->reserved = SessionEffect{decision.view.execution.id, call.action, decision.allowed, pending->riskDelta};
        m_services.authority.reserveCall(*pending->reserved);
    }
    audit::AuditRecord record = baseRecord(call, decision);
    record.event = audit::EventType::Decision;
    record.decision = decision.allowed ? QStringLiteral("allow") : QStringLiteral("deny");
    record.policies = decision.reasons;
    record.errors = decision.errors;
    if (!decision.allowed)
        record.details = QJsonObject{{QStringLiteral("mandate.decision.step"), decision.step},
                                     {QStringLiteral("mandate.decision.message"), decision.message},
                                     {QStringLiteral("mandate.decision.status"), decision.httpStatus}};
    if (decision.hasExecution) {
        record.riskBefore = decision.view.riskScore;
        record.riskAfter = decision.view.riskScore + pending->riskDelta;
        record.budgetBefore = pending->budgetBefore.toJson();
        record.budgetAfter = decision.view.remaining.toJson();
    }
    record.latencyUs = decision.latencyUs;
    record.cedarRequest = decision.cedarRequest;
    record.cedarRequestCanonical = decision.cedarRequestCanonical;
    pending->recordTime = record.time;

    // A held charge commits in the same transaction as this record, or neither does.
    audit::AuditLog::Companion companion;
    if (pending->charged) {
        companion.write = m_services.authority.durableCharge(decision.view.execution.id, *pending->charged);
        companion.refusal = Error{QStringLiteral("budget_exhausted"),
                                  QStringLiteral("the charge was refused as it was written: the budget was spent concurrently "
                                                 "(a sub-delegation, another gateway) or the execution ended")};
    }
    pending->deferredCharge = bool(companion);
    // The call's effect on its session commits with its record, or neither does.
    if (pending->reserved)
        companion.accepted = m_services.authority.writeWithRecord(*pending->reserved);
    pending->effectWithRecord = bool(companion.accepted);
    // Queued before the next decision of this execution may run (the log keeps their order),
    // so the execution's lock goes once it is.
    if (pending->blocking) {
        std::future<CommitWaiter::Appended> appended = m_services.audit.appendAsync(record, std::move(companion));
        pending->executionLock.unlock();
        settle(pending, appended.get());
        return;
    }
    // The lock leaves `pending` first: settle() may run on the waiter's thread before this one
    // gets to the unlock, and a refused charge finishes the call there, which would unlock
    // the same guard from two threads.
    ExecutionLocks::Guard executionLock = std::move(pending->executionLock);
    m_services.audit.appendThen(record, std::move(companion),
                                m_commits.handOff([this, pending](const CommitWaiter::Appended &result) { settle(pending, result); }));
    executionLock.unlock();
}

void DecisionPipeline::settle(const std::shared_ptr<Pending> &pending, const CommitWaiter::Appended &appended)
{
    const CallRequest &call = pending->call;
    CallDecision &decision = pending->decision;
    const bool effectWrittenWithRecord = appended && pending->effectWithRecord;
    if (effectWrittenWithRecord)
        pending->reserved.reset();  // committed with the record, which settled it
    pending->effectWithRecord = false;  // from here on, any reservation left is this call's to settle
    if (pending->charged)
        m_services.authority.settleCharge(decision.view.execution.id, *pending->charged, appended.ok());
    pending->unsettledCharge.reset();
    if (!appended && decision.allowed && pending->riskDelta > 0)
        m_services.authority.releaseFirstUse(decision.view.execution.id, call.action);  // denied below: not exercised
    if (!appended && pending->deferredCharge && appended.error().code == QLatin1String("budget_exhausted")) {
        // Nothing of the allowed call was written: record the denial instead. The denial is
        // shown before the allow is given up, so that no reader sees neither.
        const std::optional<SessionEffect> allowShown = std::exchange(pending->reserved, std::nullopt);
        const auto giveUpAllow = qScopeGuard([&] {
            if (allowShown)
                (void)m_services.authority.settleCall(*allowShown, std::nullopt);
        });
        deny(decision, QStringLiteral("budget"), 403, appended.error().message);
        decision.view.remaining = pending->budgetBefore;
        pending->riskDelta = pending->denialRisk;
        pending->charged.reset();
        finish(pending);
        return;
    }
    if (appended && decision.allowed)
        decision.charged = pending->charged;  // committed with the record: it may be given back
    int riskDelta = pending->riskDelta;
    // Durable before effect: an allow that cannot be recorded becomes a deny.
    if (!appended) {
        qCWarning(lcGateway) << "audit append failed, denying:" << appended.error().message;
        if (pending->charged)
            decision.view.remaining = pending->budgetBefore;  // given back: it did not commit
        // The allow's risk step is for an action exercised; this one was not, and the failure
        // is the gateway's, not the agent's. (A denial's step stands: the agent asked.)
        if (decision.allowed)
            riskDelta = 0;
        deny(decision, QStringLiteral("audit"), 503, QStringLiteral("the audit log cannot record this call: ") + appended.error().message);
    }
    if (countsInSession(decision)) {
        // What the call came to replaces what its decision showed (an allow whose record
        // failed is a denial with no risk step).
        const SessionEffect final{decision.view.execution.id, call.action, decision.allowed, riskDelta};
        // Committed with the record (`final` is then what was reserved), or settled here.
        Status counted = Status::success();
        if (pending->reserved)
            counted = m_services.authority.settleCall(*std::exchange(pending->reserved, std::nullopt), final);
        else if (!effectWrittenWithRecord)
            counted = m_services.authority.recordCall(final.executionId, final.action, final.allowed, final.riskDelta);
        if (counted)
            decision.view.riskScore += riskDelta;
        else
            qCWarning(lcGateway) << "cannot update session counters:" << counted.error().message;
    } else if (pending->reserved) {
        (void)m_services.authority.settleCall(*std::exchange(pending->reserved, std::nullopt), std::nullopt);
    }
    if (m_services.events.listened()) {
        m_services.events.publish(QJsonObject{
            {QStringLiteral("type"), QStringLiteral("decision")},
            {QStringLiteral("decision"), decision.allowed ? QStringLiteral("allow") : QStringLiteral("deny")},
            {QStringLiteral("decision_id"), decision.decisionId},
            {QStringLiteral("execution"), decision.view.execution.id},
            {QStringLiteral("agent"), decision.view.execution.agent},
            {QStringLiteral("action"), call.action},
            {QStringLiteral("tool"), call.tool},
            {QStringLiteral("step"), decision.step},
            {QStringLiteral("latency_us"), decision.latencyUs},
            {QStringLiteral("risk"), decision.view.riskScore},
            {QStringLiteral("time"), pending->recordTime.toString(Qt::ISODateWithMs)}});
    }
    pending->done(std::move(decision));
}

CallDecision DecisionPipeline::decide(const CallRequest &call)
{
    CallDecision result;
    auto pending = std::make_shared<Pending>();
    pending->call = call;
    pending->done = [&result](CallDecision decision) { result = std::move(decision); };
    runSteps(pending);  // blocking: settled, and `done` called, before it returns
    return result;
}

void DecisionPipeline::decideAsync(CallRequest call, Decided done)
{
    auto pending = std::make_shared<Pending>();
    pending->call = std::move(call);
    pending->blocking = false;
    pending->done = std::move(done);
    runSteps(pending);
}

void DecisionPipeline::waitForPendingDecisions()
{
    m_commits.waitUntilIdle();
}

void DecisionPipeline::runSteps(const std::shared_ptr<Pending> &pending)
{
    pending->authority = &m_services.authority;
    QElapsedTimer timer;
    timer.start();
    const CallRequest &call = pending->call;
    CallDecision &decision = pending->decision;
    decision.decisionId = crypto::Random::uuid();
    const TraceContext trace = TraceContext::continueOrStart(call.traceparent);
    decision.traceId = trace.traceId;
    decision.spanId = trace.spanId;
    decision.traceSampled = trace.sampled;
    decision.traceContinued = !trace.parentSpanId.isEmpty();

    // The execution's state is read under its lock, so that the view holds the effect of every
    // decision of this execution made before (each shows its own before it lets go). The token
    // alone says which lock.
    Result<ExecutionView> view = Error{};
    if (Result<QString> executionId = m_services.authority.executionOf(call.bearer)) {
        pending->executionLock = m_executionLocks.lock(executionId.value());
        view = m_services.authority.authenticate(call.bearer);
        if (view && view->execution.id != executionId.value())  // decided under another's lock: never
            view = Error{QStringLiteral("store_error"), QStringLiteral("the execution read is not the one the token names")};
    } else {
        view = executionId.error();
    }
    if (!view) {
        // The gateway failing to read the execution says nothing against the token.
        deny(decision, QStringLiteral("token"), isGatewayFailure(view.error()) ? 503 : 401, view.error().message);
        decision.errors << view.error().code;
        decision.latencyUs = timer.nsecsElapsed() / 1000;
        finish(pending);
        return;
    }
    decision.hasExecution = true;
    decision.view = std::move(view).value();
    pending->budgetBefore = decision.view.remaining;
    const identity::Execution &execution = decision.view.execution;

    Result<identity::Tool> tool = this->tool(call.tool);
    const int riskWeight = tool ? tool->riskWeight : 1;
    pending->denialRisk = 2 * std::max(1, riskWeight);
    const auto denied = [&](const QString &step, int status, const QString &message, int retryAfterSecs = 0) {
        deny(decision, step, status, message);
        decision.retryAfterSecs = retryAfterSecs;
        decision.latencyUs = timer.nsecsElapsed() / 1000;
        pending->riskDelta = status >= 500 ? 0 : pending->denialRisk;  // 5xx: the gateway's failing, not the agent's
        finish(pending);
    };

    if (!call.refusal.isEmpty())
        return denied(QStringLiteral("request"), 400, call.refusal);
    if (!tool)
        return denied(QStringLiteral("request"), 404, QStringLiteral("unknown tool \"%1\"").arg(call.tool));
    if (call.toolVersion && *call.toolVersion != tool->version)
        return denied(QStringLiteral("request"), 503, QStringLiteral("tool \"%1\" changed while the call was decided (version %2, then %3); try again")
                                                          .arg(call.tool).arg(*call.toolVersion).arg(tool->version), 1);
    if (!tool->action(call.action))
        return denied(QStringLiteral("request"), 404, QStringLiteral("tool \"%1\" has no action \"%2\"").arg(call.tool, call.action));
    const std::shared_ptr<const registry::ActivePolicies> active = m_services.policies.active();
    if (const QString why = PlainArguments::whyNot(call.args, PlainArguments::argumentsType(active->schema.get(), call.action)); !why.isEmpty())
        return denied(QStringLiteral("request"), 400, why);
    // The money budget counts the "amount" argument (costOf): one it cannot read would be
    // charged nothing while the policy, reading it as Cedar does ("050.00" is 50), allows it.
    if (const QJsonValue amount = call.args.value(QStringLiteral("amount")); !amount.isUndefined() && !(amount.isString() && Amount::parse(amount.toString())))
        return denied(QStringLiteral("request"), 400, QStringLiteral("argument \"amount\" must be an amount like \"42.00\": the execution's budget counts it"));
    // The token's actions are a hard ceiling, checked before any policy.
    if (!execution.actions().contains(call.action))
        return denied(QStringLiteral("capability"), 403, QStringLiteral("the execution was not granted \"%1\"").arg(call.action));
    if (decision.view.riskScore > execution.riskCeiling)
        return denied(QStringLiteral("risk"), 403, QStringLiteral("risk score %1 exceeds the execution's ceiling %2")
                                                      .arg(decision.view.riskScore).arg(execution.riskCeiling));
    if (decision.view.remaining.calls <= 0)
        return denied(QStringLiteral("budget"), 403, QStringLiteral("the execution's call budget is spent"));

    CedarRequestBuilder::Input input;
    input.view = &decision.view;
    // The chain runs from the root human to the immediate delegator; the acting agent is `agent`.
    for (const QString &member : execution.chain.mid(1) + QStringList{execution.agent}) {
        Result<identity::Agent> chainAgent = agent(member);
        if (!chainAgent)
            return denied(QStringLiteral("request"), 403, QStringLiteral("agent \"%1\" of the chain is not registered").arg(member));
        // Suspending or retiring an agent stops its executions, and those it delegated to, at
        // their next call: not only its next exchange.
        if (chainAgent->status != identity::Agent::Status::Active)
            return denied(QStringLiteral("request"), 403, QStringLiteral("agent \"%1\" of the chain is %2")
                                                              .arg(member, identity::Agent::statusName(chainAgent->status)));
        input.addAgent(std::move(chainAgent).value());
    }
    input.tool = call.tool;
    input.action = call.action;
    input.args = call.args;
    input.now = m_services.clock.now();
    input.confidence = call.confidence;

    // The entities come from a cache, evaluated in place. When they do not parse, the uncached
    // path reports why exactly as before (and the denial's record keeps the request).
    auto entities = m_entityCache.entities(input, active->schema);
    policy::Decision verdict;
    CedarRequestWriter::Written written;
    std::optional<policy::Request> direct;
    if (entities) {
        written = CedarRequestWriter::write(input, entities.value()->canonical);
        direct = CedarRequestWriter::read(input, written.context(), active->schema.get());
    }
    if (direct) {
        // The usual case: no JSON form at all, the audit log keeps these very bytes.
        decision.cedarRequestCanonical = std::move(written.bytes);
        verdict = policy::Authorizer::isAuthorized(active->policies, entities.value()->store, *direct);
    } else if (entities) {
        decision.cedarRequest = CedarRequestBuilder::toJson(input, entities.value()->json);
        decision.cedarRequestCanonical = CedarEntityCache::canonicalRequest(decision.cedarRequest, *entities.value());
        Result<policy::Request> request = CedarRequestBuilder::parseRequest(decision.cedarRequest, active->schema.get());
        if (!request)
            return denied(QStringLiteral("request"), 400, QStringLiteral("the call does not fit the schema: ") + request.error().message);
        verdict = policy::Authorizer::isAuthorized(active->policies, entities.value()->store, request.value());
    } else {
        decision.cedarRequest = CedarRequestBuilder::toJson(input);
        Result<CedarCall> cedar = CedarRequestBuilder::parse(decision.cedarRequest, active->schema.get());
        if (!cedar) {
            // The entities come from the registry: if the call itself fits, the gateway's data
            // does not, which is no fault of the caller's (500, no risk added).
            const bool callFits = bool(CedarRequestBuilder::parseRequest(decision.cedarRequest, active->schema.get()));
            return denied(QStringLiteral("request"), callFits ? 500 : 400,
                          (callFits ? QStringLiteral("the registry's data does not fit the schema: ") : QStringLiteral("the call does not fit the schema: "))
                              + cedar.error().message);
        }
        verdict = policy::Authorizer::isAuthorized(active->policies, cedar->entities, cedar->request);
    }
    for (const policy::Policy *reason : verdict.reasons)
        decision.reasons << policyLabel(reason);
    for (const policy::PolicyError &error : verdict.errors)
        decision.errors << policyLabel(error.policy) + QStringLiteral(": ") + QString::fromStdString(error.message);
    if (!verdict.allowed) {
        const QString why = decision.reasons.isEmpty() ? QStringLiteral("no permit policy matched")
                                                       : QStringLiteral("forbidden by ") + decision.reasons.join(QStringLiteral(", "));
        return denied(QStringLiteral("policy"), 403, why);
    }
    if (!call.unservable.isEmpty()) {
        decision.reasons.clear();  // the record is a denial: the policies that allowed it did not decide it
        return denied(QStringLiteral("request"), 503, call.unservable);
    }

    qint64 retryAfterMs = 0;
    if (!m_services.limiter.tryAcquire({{QStringLiteral("execution:") + execution.id, m_services.executionCallsPerMinute},
                                        {QStringLiteral("tool:") + call.tool, tool->rateLimitPerMinute}}, &retryAfterMs)) {
        const int retryAfterSecs = int(std::clamp<qint64>((retryAfterMs + 999) / 1000, 1, 60));
        return denied(QStringLiteral("rate_limit"), 429,
                      QStringLiteral("rate limit reached for this execution or tool: the next call is accepted in %1 s").arg(retryAfterSecs),
                      retryAfterSecs);
    }

    const Budget cost = costOf(call);
    if (call.charge) {
        Result<Budget> remaining = m_services.authority.charge(execution.id, cost);
        if (!remaining)
            return denied(QStringLiteral("budget"), isGatewayFailure(remaining.error()) ? 503 : 403, remaining.error().message);
        pending->unsettledCharge = cost;
        decision.view.remaining = remaining.value();
    }

    decision.allowed = true;
    decision.httpStatus = 200;
    decision.latencyUs = timer.nsecsElapsed() / 1000;
    // An action's weight counts once, when the execution first exercises it: risk measures what
    // the run has reached for (and denials and flagged responses), not how busy it is. Claimed
    // atomically: concurrent first calls all see the action as new in their views.
    const bool firstUse = m_services.authority.claimFirstUse(decision.view, call.action, input.now);
    pending->riskDelta = firstUse ? riskWeight : 0;
    if (call.charge)
        pending->charged = cost;
    finish(pending);
}

Status DecisionPipeline::recordForward(const CallRequest &call, const CallDecision &decision, int upstreamStatus,
                                       const QJsonObject &findings, int riskDelta, bool giveChargeBack)
{
    audit::AuditRecord record = baseRecord(call, decision);
    // Flagged: the response inspection found something. An upstream that failed is a forward
    // whose details say why (it was recorded as flagged before).
    record.event = findings.contains(QLatin1String("mandate.response.findings")) ? audit::EventType::FlaggedResponse
                                                                                : audit::EventType::Forward;
    record.upstreamStatus = upstreamStatus;
    record.details = findings;
    // The call never reached its upstream: its charge is given back with this record, or not at all.
    audit::AuditLog::Companion companion;
    const bool refund = giveChargeBack && decision.charged && decision.hasExecution;
    if (refund) {
        companion.write = m_services.authority.durableRefund(decision.view.execution.id, *decision.charged);
        if (companion.write) {
            // Executions are never deleted; were its row missing, the record would claim a refund
            // that did not happen, and is refused instead.
            companion.refusal = Error{QStringLiteral("not_found"),
                                      QStringLiteral("execution %1 is not in the store: its charge cannot be given back").arg(decision.view.execution.id)};
            record.details.insert(QStringLiteral("mandate.budget.refunded"), decision.charged->toJson());
        }
    }
    const bool refunding = refund && bool(companion.write);
    // The response's risk step commits with this record, or is not taken (as before the record).
    std::optional<SessionEffect> flagged;
    if (riskDelta != 0 && decision.hasExecution) {
        flagged = SessionEffect{decision.view.execution.id, QString(), true, riskDelta, false};
        m_services.authority.reserveCall(*flagged);
        companion.accepted = m_services.authority.writeWithRecord(*flagged);
    }
    const bool effectWithRecord = bool(companion.accepted);
    // Given up if anything below throws before the reservation is settled or written.
    auto giveUp = qScopeGuard([&] {
        if (flagged)
            (void)m_services.authority.settleCall(*flagged, std::nullopt);
    });
    auto appended = m_services.audit.append(record, std::move(companion));
    if (appended && effectWithRecord)
        giveUp.dismiss();  // committed with the record, which settled it
    if (refunding)
        m_services.authority.settleRefund(decision.view.execution.id, *decision.charged, appended.ok());
    if (!flagged || (appended && effectWithRecord))
        return appended ? Status::success() : Status(appended.error());
    giveUp.dismiss();
    const Status settled = m_services.authority.settleCall(*flagged, appended ? std::optional(*flagged) : std::nullopt);
    if (!appended)
        return appended.error();
    return settled;
}

} // namespace mandate::firewall
