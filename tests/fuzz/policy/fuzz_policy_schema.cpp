// SPDX-License-Identifier: Apache-2.0
// Cedar schemas in either format (JSON when the input starts with `{`).
#include "policy/Schema.h"

#include <cstddef>
#include <cstdint>

using namespace mandate::policy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    auto schema = Schema::parse(text);
    if (schema) {
        EntityStore store;
        schema->addActionEntities(store);
        (void)store.finalize();  // a cycle among the actions is a refusal, not a crash
    }
    return 0;
}
