// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace mandate {

/// Keeps freed heap memory mapped between requests instead of handing it back to the kernel.
///
/// glibc gives each busy thread its own arena and, whenever a free leaves more than 128 KiB at
/// the top of a thread's arena, returns it with madvise(MADV_DONTNEED); the next request that
/// grows the arena again takes one page fault per page (dear under a hypervisor, where each
/// one exits the guest). Memory that a transaction or a batch frees and the next one takes
/// again crossed that line: a mint's INSERT ... RETURNING did at every commit (since removed),
/// a sub-delegation's savepoint and the audit writer's batches still can.
/// Up to kTrimThresholdBytes of free memory now stays at the top of each arena; more than that
/// is still returned. Called at the start of main() by the gateway (and by the benchmarks that
/// measure its paths, so that they run as it does). Returns false if glibc refused a setting,
/// on a C library without mallopt (nothing is changed there), and when the environment says
/// MANDATE_ALLOCATOR_TUNING=0 (glibc's defaults kept: an escape hatch, and for comparison).
bool tuneAllocatorForServer();

/// Free memory kept at the top of an arena before it is returned to the kernel.
inline constexpr int kTrimThresholdBytes = 8 * 1024 * 1024;
/// Extra memory an arena takes each time it grows, so that growth is rare.
inline constexpr int kTopPadBytes = 1024 * 1024;
/// Blocks this large or larger get a mapping of their own (and give it back when freed).
inline constexpr int kMmapThresholdBytes = 4 * 1024 * 1024;

} // namespace mandate
