// SPDX-License-Identifier: Apache-2.0
// Helper of tst_audit_crash: appends audit records from four threads until it is killed, and
// prints "<sequence> <marker>" for every append that returned success.
#include "AuditTestUtil.h"

#include "audit/AuditLog.h"
#include "store/Database.h"

#include <QCoreApplication>

#include <cstdio>
#include <mutex>
#include <thread>

using namespace mandate;
using namespace mandate::audit;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: crash_appender DB\n");
        return 2;
    }
    auto db = store::Database::open(QString::fromLocal8Bit(argv[1]));
    if (!db) {
        std::fprintf(stderr, "%s\n", qPrintable(db.error().message));
        return 1;
    }
    AuditLog::Options options;
    options.gatewayId = testing::kGateway;
    auto log = AuditLog::open(*db.value(), options);
    if (!log) {
        std::fprintf(stderr, "%s\n", qPrintable(log.error().message));
        return 1;
    }
    std::mutex out;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0;; ++i) {
                AuditRecord r = testing::decision(QStringLiteral("alice"), QStringLiteral("support-agent"),
                                                  QStringLiteral("e%1").arg(t), QStringLiteral("refund:create"), true, {}, i);
                r.decisionId = QStringLiteral("t%1-%2").arg(t).arg(i);
                auto receipt = log.value()->append(r);
                if (!receipt)
                    continue;
                const std::lock_guard lock(out);
                std::printf("%lld %s\n", static_cast<long long>(receipt->sequence), qPrintable(r.decisionId));
                std::fflush(stdout);
            }
        });
    }
    for (auto &thread : threads)
        thread.join(); // never: the test kills us
    return 0;
}
