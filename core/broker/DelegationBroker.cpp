// SPDX-License-Identifier: Apache-2.0
#include "broker/DelegationBroker.h"

#include "broker/ExecutionTokenClaims.h"
#include "broker/OAuthError.h"
#include "common/Logging.h"
#include "crypto/Base64Url.h"
#include "crypto/CompactJws.h"
#include "crypto/JoseError.h"
#include "crypto/Random.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>

namespace mandate::broker {

using identity::Agent;
using identity::Amount;
using identity::Execution;

struct DelegationBroker::Parent
{
    QStringList chain;                            ///< of the new execution: root human, then delegating agents
    std::optional<session::ExecutionState> state; ///< the parent execution, for sub-delegations
};

/// A token signed and checked, whose execution's record is yet to be written.
struct DelegationBroker::SignedMint
{
    IssuedToken token;
    QString parentId;
    int depth = 0;
};

namespace {

/// The execution an execution token names, from its agent_execution authorization details:
/// the verifier reads it once per token (ClaimsPolicy::handleOf), not on every use.
Result<QString> executionIdClaim(const json::ObjectText &claims)
{
    // Exactly one agent_execution entry naming its execution, as the broker mints them.
    QString id;
    int entries = 0;
    for (const json::ObjectText &entry : claims.objectsInArray(QLatin1String("authorization_details"))) {
        if (entry.string(QLatin1String("type")) == QLatin1String(AgentExecutionRequest::kType)) {
            ++entries;
            id = entry.string(QLatin1String("execution"));
        }
    }
    if (entries != 1 || id.isEmpty())
        return crypto::joseError(crypto::JoseError::InvalidClaim,
                                 QStringLiteral("the token must name its execution in exactly one agent_execution authorization detail"));
    return id;
}

Error subjectRejected(const Error &why)
{
    // The issuer's keys cannot be had: nothing is wrong with the token, so the agent should try
    // again later, not throw it away (and the URL and network error stay in the gateway's log).
    if (why.code == QLatin1String("jwks_unavailable")) {
        qCWarning(lcBroker) << "cannot verify an ID token:" << why.message;
        return OAuthError::temporarilyUnavailable(QStringLiteral("the identity provider's keys cannot be fetched now; try again later"));
    }
    return OAuthError::invalidGrant(QStringLiteral("subject_token rejected (%1): %2").arg(why.code, why.message));
}

Error storeFailure(const Error &why)
{
    qCWarning(lcBroker) << "store error during token exchange:" << why.message;
    return OAuthError::temporarilyUnavailable(QStringLiteral("the execution store is unavailable"));
}

/// An OAuth error from client authentication as it is; anything else is the store's failure.
Error clientRefused(const Error &why)
{
    if (why.code == QLatin1String("invalid_client") || why.code == QLatin1String("temporarily_unavailable"))
        return why;
    return storeFailure(why);
}

/// "exe_", the mint time in milliseconds as 12 hex digits, then 12 random bytes (base64url): ids
/// sort by mint time, so that each new one lands at the end of the executions' primary-key index
/// (one page written per commit however many records it holds) instead of on a random page.
QString newExecutionId(const QDateTime &mintedAt, QByteArrayView random)
{
    const qint64 ms = mintedAt.toMSecsSinceEpoch();
    if (ms < 0)  // never, but printed as before
        return QStringLiteral("exe_") + QStringLiteral("%1").arg(ms, 12, 16, QLatin1Char('0'))
               + QString::fromLatin1(crypto::Base64Url::encode(random));
    // Written by hand: QString::arg() cost as much as the rest of the id.
    char hex[16];
    int digits = 0;
    for (quint64 v = quint64(ms); v != 0 || digits == 0; v >>= 4)
        hex[digits++] = "0123456789abcdef"[v & 15];
    QByteArray id("exe_");
    id.reserve(4 + 16 + (random.size() * 4 + 2) / 3);
    for (int i = digits; i < 12; ++i)
        id.append('0');
    while (digits > 0)
        id.append(hex[--digits]);
    id.append(crypto::Base64Url::encode(random));
    return QString::fromLatin1(id);
}

QString budgetDimensionText(qint64 value) { return QString::number(value); }
QString budgetDimensionText(const Amount &value) { return value.toString(); }

} // namespace

DelegationBroker::DelegationBroker(BrokerConfig config, registry::Registry &registry, session::ExecutionStore &executions,
                                   OAuthClientStore &clients, const TrustedIssuers &issuers, const crypto::KeyRing &keyRing,
                                   const Clock &clock)
    : m_config(std::move(config)), m_executions(executions), m_clients(clients),
      m_issuers(issuers), m_keyRing(keyRing), m_clock(clock), m_cachedRegistry(registry, clock)
{
}

DelegationBroker::~DelegationBroker() = default;

void DelegationBroker::setIssuer(const QString &issuer)
{
    std::unique_lock lock(m_verifierMutex);
    m_config.issuer = issuer;
    m_verifier.reset();  // its claims policy names the old issuer
}

Result<crypto::VerifiedToken> DelegationBroker::verifySignedToken(QByteArrayView token) const
{
    // The verifier holds the keys published when it was built: it is rebuilt when a rotation
    // changes the current key, and when a retiring key's overlap ends, so that the tokens that
    // key signed stop verifying then, not at the next rotation.
    const QString kid = m_keyRing.currentKid();
    const qint64 now = m_clock.nowSecs();
    const auto current = [&] { return m_verifier && m_verifierKid == kid && now < m_verifierKeysUntil; };
    {
        std::shared_lock lock(m_verifierMutex);
        if (current())
            return m_verifier->verify(token);
    }
    std::unique_lock lock(m_verifierMutex);
    if (!current()) {
        crypto::ClaimsPolicy claims;
        claims.issuer = m_config.issuer;
        claims.audience = m_config.audience;
        claims.clockSkewSecs = m_config.clockSkewSecs;
        claims.requireExpiry = true;
        claims.requireIssuedAt = true;
        claims.handleOf = executionIdClaim;
        // The end first: a key retiring between the two reads is then dropped at the next call
        // instead of being kept until the next rotation.
        m_verifierKeysUntil = m_keyRing.publishedSetChangesAt();
        m_verifier = std::make_unique<crypto::TokenVerifier>(crypto::JwsPolicy::accessTokens(), claims,
                                                             m_keyRing.publicKeys(), m_clock);
        m_verifierKid = kid;
    }
    return m_verifier->verify(token);
}

Result<QString> DelegationBroker::executionIdOf(QByteArrayView token) const
{
    auto verified = verifySignedToken(token);
    if (!verified)
        return verified.error();
    return std::move(verified->handle);
}

Result<VerifiedExecution> DelegationBroker::verifyExecutionToken(QByteArrayView token) const
{
    auto verified = verifySignedToken(token);
    if (!verified)
        return verified.error();
    const QString &id = verified->handle;
    // Revocations through this gateway are seen at once, another gateway's within seconds.
    auto state = m_executions.recentState(id);
    if (!state) {
        if (state.error().code == QLatin1String("not_found"))
            return Error{QStringLiteral("unknown_execution"), QStringLiteral("execution %1 does not exist").arg(id)};
        return state.error();
    }
    if (!verified->claims.hasString(QLatin1String("client_id"), state->execution.agent))
        return crypto::joseError(crypto::JoseError::InvalidClaim, QStringLiteral("client_id does not match execution %1").arg(id));
    switch (state->status) {
    case Execution::Status::Active:
        break;
    case Execution::Status::Revoked:
        return Error{QStringLiteral("revoked"), QStringLiteral("execution %1 was revoked (%2)").arg(id, state->endReason)};
    case Execution::Status::Expired:
        return Error{QStringLiteral("expired"), QStringLiteral("execution %1 has expired").arg(id)};
    case Execution::Status::Completed:
        return Error{QStringLiteral("completed"), QStringLiteral("execution %1 has completed").arg(id)};
    }
    return VerifiedExecution{std::move(verified).value(), std::move(state).value()};
}

Result<IssuedToken> DelegationBroker::exchange(const ExchangeRequest &request, const RecordExecution &record)
{
    auto mint = signMint(request);
    if (!mint)
        return mint.error();
    const Execution &execution = mint->token.execution;
    return issue(mint.value(), record ? record(execution) : m_executions.create(execution));
}

void DelegationBroker::exchangeThen(const ExchangeRequest &request, Issued issued, const RecordExecutionThen &record)
{
    auto signedMint = signMint(request);
    if (!signedMint)
        return issued(signedMint.error());
    // Shared with the completion, which may run on another thread after this returns.
    const auto mint = std::make_shared<const SignedMint>(std::move(signedMint).value());
    Recorded recorded = [mint, issued = std::move(issued)](const Status &written) { issued(issue(*mint, written)); };
    if (record)
        record(mint->token.execution, std::move(recorded));
    else
        m_executions.createThen(mint->token.execution, std::move(recorded));
}

Result<DelegationBroker::SignedMint> DelegationBroker::signMint(const ExchangeRequest &request)
{
    if (request.grantType != QLatin1String(ExchangeRequest::kGrantType))
        return OAuthError::unsupportedGrantType(QStringLiteral("grant_type must be %1").arg(QLatin1String(ExchangeRequest::kGrantType)));
    if (Status authenticated = m_clients.authenticate(request.client.clientId, request.client.secret); !authenticated)
        return clientRefused(authenticated.error());

    auto agent = m_cachedRegistry.agent(request.client.clientId);
    if (!agent) {
        if (agent.error().code == QLatin1String("not_found"))
            return OAuthError::invalidClient(QStringLiteral("client %1 is not a registered agent").arg(request.client.clientId));
        return storeFailure(agent.error());
    }
    if (agent->status != Agent::Status::Active)
        return OAuthError::unauthorizedClient(QStringLiteral("agent %1 is %2 and cannot receive delegations")
                                                  .arg(agent->id, Agent::statusName(agent->status)));

    if (request.subjectToken.isEmpty())
        return OAuthError::invalidRequest(QStringLiteral("subject_token is required"));
    if (!request.actorToken.isEmpty())
        return OAuthError::invalidRequest(QStringLiteral("actor_token is not supported: the acting agent is the authenticated client"));
    if (!request.requestedTokenType.isEmpty() && request.requestedTokenType != QLatin1String(ExchangeRequest::kAccessTokenType)
        && request.requestedTokenType != QLatin1String(ExchangeRequest::kJwtTokenType))
        return OAuthError::invalidRequest(QStringLiteral("requested_token_type %1 is not supported (use %2)")
                                              .arg(request.requestedTokenType, QLatin1String(ExchangeRequest::kAccessTokenType)));
    for (const QString &target : request.audiences + request.resources) {
        if (target != m_config.audience && target != m_config.issuer)
            return OAuthError::invalidTarget(QStringLiteral("tokens are only issued for audience %1, not %2").arg(m_config.audience, target));
    }
    auto wanted = AgentExecutionRequest::parse(request.scope, request.authorizationDetails);
    if (!wanted)
        return wanted.error();

    // The subject token's type says which delegation this is; "jwt" is told apart by typ.
    bool fromParent = false;
    const QString &type = request.subjectTokenType;
    if (type == QLatin1String(ExchangeRequest::kAccessTokenType)) {
        fromParent = true;
    } else if (type == QLatin1String(ExchangeRequest::kJwtTokenType)) {
        auto jws = crypto::CompactJws::parse(request.subjectToken, crypto::JwsPolicy::idTokens().maxTokenBytes);
        if (!jws)
            return subjectRejected(jws.error());
        fromParent = jws->header().value(QStringLiteral("typ")).toString().endsWith(QLatin1String("at+jwt"), Qt::CaseInsensitive);
    } else if (type != QLatin1String(ExchangeRequest::kIdTokenType)) {
        return OAuthError::invalidRequest(type.isEmpty() ? QStringLiteral("subject_token_type is required")
                                                         : QStringLiteral("subject_token_type %1 is not supported").arg(type));
    }
    auto parent = fromParent ? parentSubject(request, agent.value()) : rootSubject(request);
    if (!parent)
        return parent.error();
    return sign(agent.value(), parent.value(), wanted.value());
}

Result<DelegationBroker::Parent> DelegationBroker::rootSubject(const ExchangeRequest &request) const
{
    auto idToken = m_issuers.verify(request.subjectToken);
    if (!idToken)
        return subjectRejected(idToken.error());
    const QString issuer = idToken->claims.value(QLatin1String("iss")).toString();
    const QString subject = idToken->claims.value(QLatin1String("sub")).toString();
    if (subject.isEmpty())
        return OAuthError::invalidGrant(QStringLiteral("the ID token has no subject"));
    auto human = m_cachedRegistry.humanId(issuer, subject);
    if (!human) {
        if (human.error().code == QLatin1String("not_found"))
            return OAuthError::invalidGrant(QStringLiteral("no human in the registry has issuer %1 and subject %2").arg(issuer, subject));
        if (human.error().code == QLatin1String("ambiguous"))
            return OAuthError::invalidGrant(human.error().message);
        return storeFailure(human.error());
    }
    return Parent{{human.value()}, std::nullopt};
}

Result<DelegationBroker::Parent> DelegationBroker::parentSubject(const ExchangeRequest &request, const Agent &agent) const
{
    auto verified = verifySignedToken(request.subjectToken);
    if (!verified)
        return subjectRejected(verified.error());
    const QString &parentId = verified->handle;
    // A recent state is enough here: create() reserves the budget from the parent under the
    // write lock, with the parent's status and remaining budget checked again there.
    auto state = m_executions.recentState(parentId);
    if (!state) {
        if (state.error().code == QLatin1String("not_found"))
            return OAuthError::invalidGrant(QStringLiteral("parent execution %1 does not exist").arg(parentId));
        return storeFailure(state.error());
    }
    if (!state->isActive())
        return OAuthError::invalidGrant(QStringLiteral("parent execution %1 is %2").arg(parentId, Execution::statusName(state->status)));
    // Past its ceiling an execution's calls are denied, and so are its sub-delegations: counting
    // the risk the gateway has decided for it but not yet written.
    const int risk = std::clamp(state->riskScore + m_executions.pendingRisk(parentId), 0, session::ExecutionStore::MaxRiskScore);
    if (risk > state->execution.riskCeiling)
        return OAuthError::invalidGrant(QStringLiteral("parent execution %1 is over its risk ceiling (%2 > %3)")
                                            .arg(parentId).arg(risk).arg(state->execution.riskCeiling));
    const QString delegator = state->execution.agent;
    if (!agent.delegators.contains(delegator))
        return OAuthError::unauthorizedClient(QStringLiteral("agent %1 does not list %2 among its delegators").arg(agent.id, delegator));
    QStringList chain = state->execution.chain;
    chain.append(delegator);
    // Every agent the new execution's chain runs through (chain[0] is the human) bounds its
    // depth by its maxDelegationDepth, and passes on authority only while it is active: a
    // suspended or retired agent's tokens, and those delegated from them, delegate no further.
    for (const QString &member : chain.mid(1)) {
        const QString role = member == delegator ? QStringLiteral("delegating agent") : QStringLiteral("agent");
        auto through = m_cachedRegistry.agent(member);
        if (!through)
            return through.error().code == QLatin1String("not_found")
                       ? OAuthError::invalidGrant(QStringLiteral("%1 %2 of the chain is no longer registered").arg(role, member))
                       : storeFailure(through.error());
        if (through->status != Agent::Status::Active)
            return OAuthError::invalidGrant(QStringLiteral("%1 %2 is %3").arg(role, member, Agent::statusName(through->status)));
        if (chain.size() > through->maxDelegationDepth)
            return OAuthError::invalidRequest(QStringLiteral("delegation depth %1 exceeds %2 %3's maxDelegationDepth %4")
                                                  .arg(chain.size()).arg(role, member).arg(through->maxDelegationDepth));
    }
    return Parent{chain, std::move(state).value()};
}

Result<DelegationBroker::SignedMint> DelegationBroker::sign(const Agent &agent, const Parent &parent, const AgentExecutionRequest &wanted)
{
    const session::ExecutionState *p = parent.state ? &*parent.state : nullptr;
    const QString parentId = p ? p->execution.id : QString();

    // Actions: within the agent's ceiling and, for a sub-delegation, within the parent's.
    const QStringList parentActions = p ? p->execution.actions() : QStringList();
    for (const QString &action : wanted.actions) {
        if (!agent.allowedActions.contains(action))
            return OAuthError::invalidScope(QStringLiteral("action %1 is not among agent %2's allowedActions").arg(action, agent.id));
        if (p && !parentActions.contains(action))
            return OAuthError::invalidScope(QStringLiteral("action %1 is not held by parent execution %2").arg(action, parentId));
    }

    // Depth: the root execution has depth 1 (chain = [human]).
    const int depth = int(parent.chain.size());
    if (depth > agent.maxDelegationDepth)
        return OAuthError::invalidRequest(QStringLiteral("delegation depth %1 exceeds agent %2's maxDelegationDepth %3")
                                              .arg(depth).arg(agent.id).arg(agent.maxDelegationDepth));

    // Lifetime: at most the agent's maxTtl, and never past the parent's expiry.
    const QDateTime now = m_clock.now();
    qint64 ttl = wanted.ttlSecs.value_or(std::min(agent.defaultTtlSecs, agent.maxTtlSecs));
    if (ttl > agent.maxTtlSecs)
        return OAuthError::invalidRequest(QStringLiteral("ttl %1 s exceeds agent %2's maxTtl %3 s").arg(ttl).arg(agent.id).arg(agent.maxTtlSecs));
    QDateTime expiresAt = now.addSecs(ttl);
    if (p && expiresAt > p->execution.expiresAt) {
        if (wanted.ttlSecs)
            return OAuthError::invalidRequest(QStringLiteral("expiry %1 is after parent execution %2's expiry %3")
                                                  .arg(expiresAt.toString(Qt::ISODate), parentId, p->execution.expiresAt.toString(Qt::ISODate)));
        expiresAt = p->execution.expiresAt;  // a defaulted lifetime is cut to the parent's
    }
    if (expiresAt <= now)
        return OAuthError::invalidGrant(QStringLiteral("parent execution %1 has no lifetime left").arg(parentId));

    // Budget: each dimension defaults to, and may not exceed, the agent's maximum and the
    // parent's remaining budget.
    identity::Budget budget;
    const auto dimension = [&](const char *name, const auto &requested, const auto &agentMax, const auto *parentLeft,
                               auto &out) -> std::optional<Error> {
        auto ceiling = agentMax;
        if (parentLeft && *parentLeft < ceiling)
            ceiling = *parentLeft;
        out = requested.value_or(ceiling);
        if (out > agentMax)
            return OAuthError::invalidRequest(QStringLiteral("budget.%1 %2 exceeds agent %3's maxBudget.%1 %4")
                                                  .arg(QLatin1String(name), budgetDimensionText(out), agent.id, budgetDimensionText(agentMax)));
        if (parentLeft && out > *parentLeft)
            return OAuthError::invalidRequest(QStringLiteral("budget.%1 %2 exceeds parent execution %3's remaining budget.%1 %4")
                                                  .arg(QLatin1String(name), budgetDimensionText(out), parentId, budgetDimensionText(*parentLeft)));
        return std::nullopt;
    };
    if (auto e = dimension("calls", wanted.calls, agent.maxBudget.calls, p ? &p->remaining.calls : nullptr, budget.calls))
        return *e;
    if (auto e = dimension("tokens", wanted.tokens, agent.maxBudget.tokens, p ? &p->remaining.tokens : nullptr, budget.tokens))
        return *e;
    if (auto e = dimension("amount", wanted.amount, agent.maxBudget.amount, p ? &p->remaining.amount : nullptr, budget.amount))
        return *e;

    // Risk ceiling: a sub-delegation inherits its parent's and may only lower it.
    const int riskCeiling = wanted.riskCeiling.value_or(p ? p->execution.riskCeiling : Execution().riskCeiling);
    if (p && riskCeiling > p->execution.riskCeiling)
        return OAuthError::invalidRequest(QStringLiteral("risk_ceiling %1 exceeds parent execution %2's risk_ceiling %3")
                                              .arg(riskCeiling).arg(parentId).arg(p->execution.riskCeiling));

    // One draw for both identifiers: 16 random bytes for the jti, 12 for the execution id.
    auto random = crypto::Random::identifierBytes(28);
    if (!random)
        return OAuthError::serverError(QStringLiteral("the random generator failed"));
    const QString jti = QString::fromLatin1(crypto::Base64Url::encode(QByteArrayView(random.value()).first(16)));

    Execution execution;
    execution.id = newExecutionId(now, QByteArrayView(random.value()).sliced(16));
    execution.agent = agent.id;
    execution.chain = parent.chain;
    execution.purpose = wanted.purpose.isEmpty() && p ? p->execution.purpose : wanted.purpose;
    for (const QString &action : wanted.actions)
        execution.capabilities.append(identity::Capability{action, {}});
    execution.budget = budget;
    execution.riskCeiling = riskCeiling;
    execution.issuedAt = QDateTime::fromSecsSinceEpoch(now.toSecsSinceEpoch(), Qt::UTC);
    execution.expiresAt = QDateTime::fromSecsSinceEpoch(expiresAt.toSecsSinceEpoch(), Qt::UTC);
    execution.parent = parentId;

    const qint64 iat = execution.issuedAt.toSecsSinceEpoch();
    const qint64 exp = execution.expiresAt.toSecsSinceEpoch();
    const QString scope = wanted.actions.join(u' ');
    const ExecutionTokenClaims claims{m_config.issuer, m_config.audience, iat, exp, jti, execution, scope};
    auto token = m_keyRing.signPayload(claims.toJson());
    if (!token)
        return OAuthError::serverError(QStringLiteral("signing failed: %1").arg(token.error().message));
    // A token larger than verifiers accept would be refused at every call, its execution live.
    if (const qsizetype limit = crypto::JwsPolicy::accessTokens().maxTokenBytes; token->size() > limit)
        return OAuthError::invalidRequest(QStringLiteral("the token would be %1 bytes, more than the %2 a gateway accepts: "
                                                         "ask for fewer actions or a shorter purpose").arg(token->size()).arg(limit));

    return SignedMint{IssuedToken{std::move(token).value(), exp - iat, scope, std::move(execution)}, parentId, depth};
}

Result<IssuedToken> DelegationBroker::issue(const SignedMint &mint, const Status &written)
{
    // The record is written after signing and before the token leaves: a token whose record
    // failed to be written is dropped, and verification requires the record anyway.
    if (!written) {
        const Error &e = written.error();
        if (e.code == QLatin1String("temporarily_unavailable"))
            return e;
        if (e.code == QLatin1String("budget_exhausted"))
            return OAuthError::invalidRequest(
                QStringLiteral("budget exceeds parent execution %1's remaining budget (%2)").arg(mint.parentId, e.message));
        if (e.code == QLatin1String("inactive") || e.code == QLatin1String("not_found"))
            return OAuthError::invalidGrant(e.message);
        return storeFailure(e);
    }
    const Execution &execution = mint.token.execution;
    qCInfo(lcBroker).noquote() << "execution" << execution.id << "minted for" << execution.agent << "on behalf of"
                               << execution.rootHuman() << "depth" << mint.depth;
    return mint.token;
}

Result<QStringList> DelegationBroker::revokeToken(const ClientCredentials &client, QByteArrayView token)
{
    if (Status authenticated = m_clients.authenticate(client.clientId, client.secret); !authenticated)
        return clientRefused(authenticated.error());
    auto verified = verifySignedToken(token);
    if (!verified)
        return QStringList();  // RFC 7009 §2.2: an invalid token needs no revocation
    const QString &id = verified->handle;
    auto state = m_executions.state(id);
    if (!state)
        return state.error().code == QLatin1String("not_found") ? Result<QStringList>(QStringList()) : storeFailure(state.error());
    const QStringList delegators = state->execution.chain.mid(1);
    if (state->execution.agent != client.clientId && !delegators.contains(client.clientId))
        return OAuthError::unauthorizedClient(QStringLiteral("execution %1 was neither issued to nor delegated by client %2")
                                                  .arg(id, client.clientId));
    return m_executions.revoke(id, QStringLiteral("revoked by client %1").arg(client.clientId));
}

Result<QStringList> DelegationBroker::revokeExecution(const QString &executionId, const QString &reason)
{
    return m_executions.revoke(executionId, reason);
}

} // namespace mandate::broker
