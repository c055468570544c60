// SPDX-License-Identifier: Apache-2.0
// main() of the Google Benchmark suites that run Mandate's core: Qt SQL and the audit log's
// threads need a QCoreApplication.
#include "common/AllocatorTuning.h"

#include <benchmark/benchmark.h>

#include <QCoreApplication>

int main(int argc, char **argv)
{
    mandate::tuneAllocatorForServer();  // as the gateway's main() does
    QCoreApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
