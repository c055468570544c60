// SPDX-License-Identifier: Apache-2.0
#include "common/AllocatorTuning.h"

#include <cstdlib>  // defines __GLIBC__ on glibc
#include <string_view>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mandate {

bool tuneAllocatorForServer()
{
#if defined(__GLIBC__)
    if (const char *off = std::getenv("MANDATE_ALLOCATOR_TUNING"); off && std::string_view(off) == "0")
        return false;
    // Setting the trim threshold also stops glibc from raising the mmap threshold (128 KiB)
    // as it sees large blocks freed: it is raised here instead, so that large buffers (request
    // bodies, audit batches) keep coming from the heap rather than from fresh mappings that
    // fault in page by page and are unmapped again at every free.
    const bool trim = mallopt(M_TRIM_THRESHOLD, kTrimThresholdBytes) == 1;
    const bool pad = mallopt(M_TOP_PAD, kTopPadBytes) == 1;
    const bool mmap = mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes) == 1;
    return trim && pad && mmap;
#else
    return false;
#endif
}

} // namespace mandate
