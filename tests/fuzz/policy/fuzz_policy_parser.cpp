// SPDX-License-Identifier: Apache-2.0
// Cedar policy text: parse it, and evaluate whatever parses against a small request, so that
// the evaluator sees the same hostile input.
#include "policy/Authorizer.h"
#include "policy/PolicySet.h"

#include <cstddef>
#include <cstdlib>
#include <cstdint>

using namespace mandate::policy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    auto set = PolicySet::parse(text);
    if (!set)
        return 0;
    static const EntityStore entities = [] {
        EntityStore store;
        Entity user;
        user.uid = UidTable::uid("User", "alice");
        user.attrs = std::make_shared<const Record>(Record{{"age", Value(int64_t(30))}});
        user.parents = {UidTable::uid("Group", "g")};
        store.insert(user);
        if (!store.finalize())
            abort();
        return store;
    }();
    const Request request{UidTable::uid("User", "alice"), UidTable::uid("Action", "view"),
                          UidTable::uid("Doc", "d"), Value::record({{"n", Value(int64_t(1))}}), nullptr};
    (void)Authorizer::isAuthorized(set.value(), entities, request);
    return 0;
}
