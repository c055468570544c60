// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared by the decision pipeline's suites: the pipeline on the demo registry and the demo
// policies, with real Cedar, a real audit log and a real database; only token verification is
// replaced (see FakeAuthority.h). A suite derives from PipelineFixture and calls setUp() from its
// initTestCase().
#include "FakeAuthority.h"

#include "audit/AuditLog.h"
#include "firewall/DecisionPipeline.h"
#include "registry/PolicyStore.h"
#include "registry/Registry.h"
#include "store/Database.h"

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <future>
#include <mutex>

namespace mandate::testing {

using identity::Amount;
using identity::Execution;

class RecordingEvents final : public firewall::EventSink
{
public:
    QList<QJsonObject> events;
    std::mutex mutex;
    void publish(const QJsonObject &event) override { std::lock_guard lock(mutex); events << event; }
};

inline QByteArray resource(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

inline Execution execution(const QString &id, const QString &agent, QStringList chain, QStringList actions, const QString &parent = {})
{
    Execution e;
    e.id = id;
    e.agent = agent;
    e.chain = std::move(chain);
    e.purpose = QStringLiteral("refund for ticket T-1001");
    for (const QString &action : actions)
        e.capabilities.append({action, {}});
    e.budget = {10, 1000, *Amount::parse(QStringLiteral("500"))};
    e.riskCeiling = 50;
    e.issuedAt = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);
    e.expiresAt = e.issuedAt.addSecs(900);
    e.parent = parent;
    return e;
}

class PipelineFixture : public QObject
{
protected:
    /// A new execution of alice's support-agent holding `actions`, under `token`: a session and
    /// budget of its own for one test. Returns its view as inserted.
    firewall::ExecutionView addExecutionWith(const QByteArray &token, const QString &id, const QStringList &actions)
    {
        firewall::ExecutionView fresh;
        fresh.execution = execution(id, QStringLiteral("support-agent"), {QStringLiteral("alice"), QStringLiteral("support-agent")}, actions);
        fresh.remaining = fresh.execution.budget;
        m_authority.views.insert(token, fresh);
        return fresh;
    }

    /// The database, the demo registry and policies, the audit log and the pipeline, and the
    /// executions the tests call with (each with an "-async" twin for the asynchronous rows).
    void setUp()
    {
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("mandate.db")));
        QVERIFY2(db, qPrintable(db ? QString() : db.error().toString()));
        m_db = std::move(db).value();
        m_registry = std::make_unique<registry::Registry>(*m_db, m_clock);
        QByteArray demo = resource(QStringLiteral(":/mandate/demo/registry.json"));
        demo.replace("${DEMO_UPSTREAM}", "http://127.0.0.1:9/demo-api");
        QVERIFY(m_registry->importJson(QJsonDocument::fromJson(demo).object(), QStringLiteral("test")));

        auto schema = policy::Schema::parse(resource(QStringLiteral(":/mandate/schema/mandate.cedarschema")));
        QVERIFY2(schema, qPrintable(schema ? QString() : schema.error().toString()));
        m_policies = std::make_unique<registry::PolicyStore>(*m_db, m_clock, std::make_shared<const policy::Schema>(std::move(schema).value()));
        auto published = m_policies->publish(QString::fromUtf8(resource(QStringLiteral(":/mandate/policies/demo.cedar"))), 0,
                                             QStringLiteral("test"), QString());
        QVERIFY2(published, qPrintable(published ? QString() : published.error().toString()));

        auto audit = audit::AuditLog::open(*m_db, {QStringLiteral("gw-test"), std::nullopt, false});
        QVERIFY2(audit, qPrintable(audit ? QString() : audit.error().toString()));
        m_audit = std::move(audit).value();
        m_limiter = std::make_unique<firewall::RateLimiter>(m_clock);
        m_pipeline = std::make_unique<firewall::DecisionPipeline>(firewall::DecisionPipeline::Services{
            m_authority, *m_registry, *m_policies, *m_audit, m_events, *m_limiter, m_clock, QStringLiteral("gw-test")});

        const auto add = [this](const QByteArray &token, Execution e, int risk = 0) {
            firewall::ExecutionView view;
            view.remaining = e.budget;
            view.riskScore = risk;
            view.execution = std::move(e);
            m_authority.views.insert(token, view);
        };
        const QStringList aliceChain{QStringLiteral("alice"), QStringLiteral("support-agent")};
        const QStringList supportActions{QStringLiteral("refund:create"), QStringLiteral("ticket:read")};
        add("support", execution(QStringLiteral("ex-support"), QStringLiteral("support-agent"), aliceChain, supportActions));
        add("replay", execution(QStringLiteral("ex-replay"), QStringLiteral("support-agent"), aliceChain, supportActions));
        add("support-with-delete", execution(QStringLiteral("ex-delete"), QStringLiteral("support-agent"), aliceChain,
                                             supportActions + QStringList{QStringLiteral("account:delete")}));
        add("risky", execution(QStringLiteral("ex-risky"), QStringLiteral("support-agent"), aliceChain, supportActions), 51);
        add("finance", execution(QStringLiteral("ex-finance"), QStringLiteral("finance-agent"),
                                 {QStringLiteral("bob"), QStringLiteral("finance-agent")}, {QStringLiteral("refund:create")}));
        // refund-subagent acting under a support-agent execution: `principal in Agent::"support-agent"` holds.
        firewall::ExecutionView sub;
        sub.execution = execution(QStringLiteral("ex-sub"), QStringLiteral("refund-subagent"),
                                  aliceChain + QStringList{QStringLiteral("refund-subagent")}, {QStringLiteral("refund:create")},
                                  QStringLiteral("ex-support"));
        sub.ancestors.push_back(m_authority.views.value("support").execution);
        sub.remaining = sub.execution.budget;
        m_authority.views.insert("sub", sub);
        Execution spent = execution(QStringLiteral("ex-spent"), QStringLiteral("support-agent"), aliceChain, supportActions);
        add("spent", spent);
        m_authority.views["spent"].remaining.calls = 0;
        for (const QByteArray &token : m_authority.views.keys()) {
            firewall::ExecutionView twin = m_authority.views.value(token);
            twin.execution.id += QStringLiteral("-async");
            m_authority.views.insert(token + "-async", twin);
        }
    }

    /// Through decide(), or through decideAsync() when the current test's data tag ends in "async".
    firewall::CallDecision decide(const QByteArray &token, const QString &action, const QJsonObject &args, bool charge = false);
    /// An "async" column with a blocking and an asynchronous row.
    static void addModes();
    static firewall::CallRequest call(const QByteArray &token, const QString &action, const QJsonObject &args, bool charge = false);

    QTemporaryDir m_dir;
    ManualClock m_clock;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<registry::Registry> m_registry;
    std::unique_ptr<registry::PolicyStore> m_policies;
    std::unique_ptr<audit::AuditLog> m_audit;
    FakeAuthority m_authority;
    RecordingEvents m_events;
    std::unique_ptr<firewall::RateLimiter> m_limiter;
    std::unique_ptr<firewall::DecisionPipeline> m_pipeline;
};

inline firewall::CallRequest PipelineFixture::call(const QByteArray &token, const QString &action, const QJsonObject &args, bool charge)
{
    firewall::CallRequest call;
    call.bearer = token;
    call.action = action;
    call.tool = action.section(u':', 0, 0);
    call.args = args;
    call.charge = charge;
    return call;
}

inline void PipelineFixture::addModes()
{
    QTest::addColumn<bool>("async");
    QTest::addRow("blocking") << false;
    QTest::addRow("async") << true;
}

inline firewall::CallDecision PipelineFixture::decide(const QByteArray &token, const QString &action, const QJsonObject &args, bool charge)
{
    const bool async = QTest::currentDataTag() && QByteArrayView(QTest::currentDataTag()).endsWith("async");
    if (!async)
        return m_pipeline->decide(call(token, action, args, charge));
    // The executions' twins, so that the async rows meet the same state as the blocking ones.
    const QByteArray twin = token + "-async";
    std::promise<firewall::CallDecision> decided;
    std::future<firewall::CallDecision> future = decided.get_future();
    m_pipeline->decideAsync(call(m_authority.views.contains(twin) ? twin : token, action, args, charge), [&decided](firewall::CallDecision decision) {
        decided.set_value(std::move(decision));  // a second call would throw: exactly once
    });
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
        qFatal("an asynchronous decision was never answered");
    return future.get();
}

} // namespace mandate::testing
