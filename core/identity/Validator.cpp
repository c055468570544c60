// SPDX-License-Identifier: Apache-2.0
#include "identity/Validator.h"

#include <QRegularExpression>
#include <QSet>
#include <QUrl>

namespace mandate::identity {

namespace {

/// Collects errors under a common path prefix.
class Report
{
public:
    Report(std::vector<Error> &errors, QString path) : m_errors(errors), m_path(std::move(path)) {}

    void add(const QString &field, const QString &message)
    {
        QString full = field;
        if (!m_path.isEmpty())
            full = field.startsWith(u'[') ? QString(m_path + field) : QString(m_path + u'.' + field);
        m_errors.push_back(Error{QStringLiteral("invalid"), message, full});
    }
    static QString item(const char *field, qsizetype index)
    {
        return QLatin1String(field) + u'[' + QString::number(index) + u']';
    }

private:
    std::vector<Error> &m_errors;
    QString m_path;
};

const QString idRule = QStringLiteral(
    "must be 2 to 64 characters: lowercase letters, digits and single hyphens, starting with a letter "
    "and not ending with a hyphen");

void checkId(Report &report, const QString &field, const QString &id)
{
    if (id.isEmpty())
        report.add(field, QStringLiteral("is required"));
    else if (!Validator::isValidId(id))
        report.add(field, QStringLiteral("\"%1\" %2").arg(id, idRule));
}

void checkRange(Report &report, const char *field, qint64 value, qint64 min, qint64 max)
{
    if (value < min || value > max)
        report.add(QLatin1String(field), QStringLiteral("must be between %1 and %2, got %3").arg(min).arg(max).arg(value));
}

void checkDisplayName(Report &report, const QString &name)
{
    if (name.trimmed().isEmpty())
        report.add(QStringLiteral("displayName"), QStringLiteral("must not be empty"));
    else if (name.size() > 128)
        report.add(QStringLiteral("displayName"), QStringLiteral("must be at most 128 characters"));
}

} // namespace

// The patterns end in \z, not $: PCRE's $ also matches before a final newline ("ab\n").
bool Validator::isValidId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*[a-z0-9]\\z"));
    return id.size() <= MaxIdLength && pattern.match(id).hasMatch();
}

bool Validator::isValidAction(const QString &action)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*\\z"));
    return action.size() <= 2 * MaxIdLength && pattern.match(action).hasMatch();
}

bool Validator::isValidScopeName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z][a-z0-9_.-]{0,63}\\z"));
    return pattern.match(name).hasMatch();
}

std::vector<Error> Validator::validate(const Agent &agent, const ValidationContext &context, const QString &path)
{
    std::vector<Error> errors;
    Report report(errors, path);
    checkId(report, QStringLiteral("id"), agent.id);
    checkDisplayName(report, agent.displayName);
    if (agent.owner.isEmpty())
        report.add(QStringLiteral("owner"), QStringLiteral("is required"));
    else if (!context.hasHuman(agent.owner))
        report.add(QStringLiteral("owner"), QStringLiteral("unknown human \"%1\"").arg(agent.owner));

    if (agent.allowedActions.isEmpty())
        report.add(QStringLiteral("allowedActions"), QStringLiteral("must name at least one action"));
    QSet<QString> seenActions;
    for (qsizetype i = 0; i < agent.allowedActions.size(); ++i) {
        const QString &action = agent.allowedActions[i];
        const QString field = Report::item("allowedActions", i);
        if (!isValidAction(action))
            report.add(field, QStringLiteral("\"%1\" is not an action (expected tool:verb)").arg(action));
        else if (!context.hasAction(action))
            report.add(field, QStringLiteral("unknown action \"%1\"").arg(action));
        if (seenActions.contains(action))
            report.add(field, QStringLiteral("duplicate action \"%1\"").arg(action));
        seenActions.insert(action);
    }

    checkRange(report, "trustLevel", agent.trustLevel, 0, MaxTrustLevel);
    checkRange(report, "maxDelegationDepth", agent.maxDelegationDepth, 1, MaxDelegationDepth);
    checkRange(report, "maxTtl", agent.maxTtlSecs, MinTtlSecs, MaxTtlSecs);
    checkRange(report, "defaultTtl", agent.defaultTtlSecs, MinTtlSecs, MaxTtlSecs);
    if (agent.defaultTtlSecs > agent.maxTtlSecs)
        report.add(QStringLiteral("defaultTtl"), QStringLiteral("must not exceed maxTtl (%1 > %2)")
                                                     .arg(agent.defaultTtlSecs).arg(agent.maxTtlSecs));
    checkRange(report, "maxBudget.calls", agent.maxBudget.calls, 1, MaxCalls);
    checkRange(report, "maxBudget.tokens", agent.maxBudget.tokens, 0, MaxModelTokens);

    QSet<QString> scopeNames;
    for (qsizetype i = 0; i < agent.memoryScopes.size(); ++i) {
        const QString &name = agent.memoryScopes[i].name;
        const QString field = Report::item("memoryScopes", i) + QStringLiteral(".name");
        if (!isValidScopeName(name))
            report.add(field, QStringLiteral("\"%1\" must be 1 to 64 characters: lowercase letters, digits, '_', '.', '-', starting with a letter").arg(name));
        if (scopeNames.contains(name))
            report.add(field, QStringLiteral("duplicate memory scope \"%1\"").arg(name));
        scopeNames.insert(name);
    }

    for (qsizetype i = 0; i < agent.delegators.size(); ++i) {
        const QString &delegator = agent.delegators[i];
        const QString field = Report::item("delegators", i);
        if (delegator == agent.id)
            report.add(field, QStringLiteral("an agent cannot delegate to itself"));
        else if (!context.hasAgent(delegator))
            report.add(field, QStringLiteral("unknown agent \"%1\"").arg(delegator));
    }
    for (qsizetype i = 0; i < agent.policies.size(); ++i) {
        if (agent.policies[i].trimmed().isEmpty())
            report.add(Report::item("policies", i), QStringLiteral("must not be empty"));
    }
    for (auto it = agent.labels.cbegin(); it != agent.labels.cend(); ++it) {
        if (!isValidScopeName(it.key()))
            report.add(QStringLiteral("labels.") + it.key(), QStringLiteral("label names follow the memory scope rule"));
        if (it.value().size() > 256)
            report.add(QStringLiteral("labels.") + it.key(), QStringLiteral("label values must be at most 256 characters"));
    }
    return errors;
}

std::vector<Error> Validator::validate(const Tool &tool, const QString &path)
{
    std::vector<Error> errors;
    Report report(errors, path);
    checkId(report, QStringLiteral("id"), tool.id);
    checkDisplayName(report, tool.displayName);
    if (!tool.upstream.isEmpty()) {
        const QUrl url(tool.upstream, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) || url.host().isEmpty())
            report.add(QStringLiteral("upstream"), QStringLiteral("\"%1\" is not an http(s) URL").arg(tool.upstream));
        else if (url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty())
            report.add(QStringLiteral("upstream"), QStringLiteral("\"%1\" must not have a query, a fragment or user info: calls go to "
                                                              "its path, with the call's own query").arg(tool.upstream));
    }
    // The name is a file name in the gateway's upstream-credentials directory: an id's
    // characters only, so that it can never climb out of it.
    if (!tool.upstreamCredential.isEmpty() && !isValidId(tool.upstreamCredential))
        report.add(QStringLiteral("upstreamCredential"),
                   QStringLiteral("\"%1\" is not a credential name (lower-case letters, digits and single hyphens, at most %2)")
                       .arg(tool.upstreamCredential).arg(MaxIdLength));
    checkRange(report, "riskWeight", tool.riskWeight, 0, MaxRiskWeight);
    checkRange(report, "rateLimitPerMinute", tool.rateLimitPerMinute, 1, 1'000'000);
    if (tool.actions.isEmpty())
        report.add(QStringLiteral("actions"), QStringLiteral("must list at least one action"));

    static const QStringList methods{QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"),
                                     QStringLiteral("PATCH"), QStringLiteral("DELETE")};
    QSet<QString> names;
    for (qsizetype i = 0; i < tool.actions.size(); ++i) {
        const ToolAction &action = tool.actions[i];
        const QString field = Report::item("actions", i);
        if (!isValidAction(action.name))
            report.add(field + QStringLiteral(".name"), QStringLiteral("\"%1\" is not an action (expected tool:verb)").arg(action.name));
        else if (action.name.section(u':', 0, 0) != tool.id)
            report.add(field + QStringLiteral(".name"), QStringLiteral("\"%1\" must start with the tool id \"%2:\"").arg(action.name, tool.id));
        if (names.contains(action.name))
            report.add(field + QStringLiteral(".name"), QStringLiteral("duplicate action \"%1\"").arg(action.name));
        names.insert(action.name);
        if (!methods.contains(action.method))
            report.add(field + QStringLiteral(".method"), QStringLiteral("must be one of GET, POST, PUT, PATCH, DELETE; got \"%1\"").arg(action.method));
        if (!action.path.startsWith(u'/'))
            report.add(field + QStringLiteral(".path"), QStringLiteral("must start with '/'"));
        // Each {param} is one argument the policy sees: a name used twice would show it one value
        // of two that the upstream receives.
        QSet<QString> parameters;
        for (const QString &segment : action.path.split(u'/', Qt::SkipEmptyParts)) {
            if (!segment.startsWith(u'{') || !segment.endsWith(u'}'))
                continue;
            const QString name = segment.mid(1, segment.size() - 2).toCaseFolded();
            if (parameters.contains(name))
                report.add(field + QStringLiteral(".path"), QStringLiteral("parameter %1 appears more than once").arg(segment));
            parameters.insert(name);
        }
    }
    return errors;
}

std::vector<Error> Validator::validate(const Human &human, const QString &path)
{
    std::vector<Error> errors;
    Report report(errors, path);
    checkId(report, QStringLiteral("id"), human.id);
    checkDisplayName(report, human.displayName);
    if (human.issuer.isEmpty())
        report.add(QStringLiteral("issuer"), QStringLiteral("is required"));
    if (human.subject.isEmpty())
        report.add(QStringLiteral("subject"), QStringLiteral("is required"));
    return errors;
}

std::vector<Error> Validator::validate(const Machine &machine, const ValidationContext &context, const QString &path)
{
    std::vector<Error> errors;
    Report report(errors, path);
    checkId(report, QStringLiteral("id"), machine.id);
    checkDisplayName(report, machine.displayName);
    static const QStringList kinds{QStringLiteral("service"), QStringLiteral("pipeline"), QStringLiteral("oauth-client")};
    if (!kinds.contains(machine.machineKind))
        report.add(QStringLiteral("kind"), QStringLiteral("must be one of service, pipeline, oauth-client; got \"%1\"").arg(machine.machineKind));
    if (machine.owner.isEmpty())
        report.add(QStringLiteral("owner"), QStringLiteral("is required"));
    else if (!context.hasHuman(machine.owner))
        report.add(QStringLiteral("owner"), QStringLiteral("unknown human \"%1\"").arg(machine.owner));
    return errors;
}

std::vector<Error> Validator::validate(const Execution &execution, const QString &path)
{
    std::vector<Error> errors;
    Report report(errors, path);
    if (execution.id.isEmpty())
        report.add(QStringLiteral("id"), QStringLiteral("is required"));
    checkId(report, QStringLiteral("agent"), execution.agent);
    if (execution.chain.isEmpty())
        report.add(QStringLiteral("chain"), QStringLiteral("must start with the delegating human"));
    if (execution.capabilities.isEmpty())
        report.add(QStringLiteral("capabilities"), QStringLiteral("must grant at least one action"));
    for (qsizetype i = 0; i < execution.capabilities.size(); ++i) {
        if (!isValidAction(execution.capabilities[i].action))
            report.add(Report::item("capabilities", i) + QStringLiteral(".action"),
                       QStringLiteral("\"%1\" is not an action").arg(execution.capabilities[i].action));
    }
    checkRange(report, "riskCeiling", execution.riskCeiling, 0, 100);
    // An execution without both times would never expire.
    if (!execution.issuedAt.isValid())
        report.add(QStringLiteral("issuedAt"), QStringLiteral("is required"));
    if (!execution.expiresAt.isValid())
        report.add(QStringLiteral("expiresAt"), QStringLiteral("is required"));
    if (execution.issuedAt.isValid() && execution.expiresAt.isValid() && execution.expiresAt <= execution.issuedAt)
        report.add(QStringLiteral("expiresAt"), QStringLiteral("must be after issuedAt"));
    return errors;
}

} // namespace mandate::identity
