// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace mandate::policy {

/// Runs tests in the layout of Cedar's integration tests (cedar-integration-tests): each test
/// JSON names its policies, entities and schema relative to a root folder and lists requests
/// with the expected decision, reason set and error set. Entities and contexts are read with
/// the schema, policy ids are policy0..N, as Cedar's own harness does.
class ConformanceRunner
{
public:
    struct Mismatch
    {
        QString test;
        QString request;
        QString expected;
        QString got;
    };
    struct Report
    {
        int passed = 0;
        int failed = 0;
        QList<Mismatch> mismatches;
    };

    explicit ConformanceRunner(QString root) : m_root(std::move(root)) {}

    /// Runs one test file (absolute, or relative to the root) and adds its requests to `report`.
    void run(const QString &testFile, Report &report) const;

private:
    QString m_root;
};

} // namespace mandate::policy
