// SPDX-License-Identifier: Apache-2.0
// The gateway's allocator settings take effect: a freed block the size of a large batch stays
// in the heap instead of being unmapped or trimmed away (and faulted in again by the next one).
#include "common/AllocatorTuning.h"

#include <QTest>

#include <cstdlib>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace mandate;

class tst_AllocatorTuning final : public QObject
{
    Q_OBJECT

private slots:
    void freedMemoryStaysInTheHeap();
};

void tst_AllocatorTuning::freedMemoryStaysInTheHeap()
{
#if !defined(__GLIBC__)
    QSKIP("the tuning is for glibc's allocator; this C library's is left as it is");
#else
    QVERIFY(tuneAllocatorForServer());
    // 2 MiB: past glibc's default mmap threshold (128 KiB) and trim threshold, below ours.
    constexpr size_t kBlock = 2 * 1024 * 1024;
    const auto allocateAndFree = [] {
        const struct mallinfo2 before = mallinfo2();
        char *block = static_cast<char *>(std::malloc(kBlock));
        QVERIFY(block != nullptr);
        for (size_t i = 0; i < kBlock; i += 4096)  // touched, as a real buffer is
            block[i] = char(i);
        const struct mallinfo2 held = mallinfo2();
        QCOMPARE(held.hblkhd, before.hblkhd);  // not a mapping of its own
        std::free(block);
        // Against the arena's state just before the free: mallinfo2() sums every arena, and the
        // main arena's block, kept by the first call, must not count for the thread's.
        const struct mallinfo2 after = mallinfo2();
        QVERIFY2(after.fordblks >= held.fordblks + kBlock, "the freed block was handed back to the kernel");
    };
    allocateAndFree();                // the main arena
    std::thread worker(allocateAndFree);  // a thread's own arena, as a gateway worker's
    worker.join();
#endif
}

QTEST_GUILESS_MAIN(tst_AllocatorTuning)
#include "tst_allocator_tuning.moc"
