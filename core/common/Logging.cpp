// SPDX-License-Identifier: Apache-2.0
#include "common/Logging.h"

// Debug output (one line per request and the like) is off unless QT_LOGGING_RULES turns it on.

Q_LOGGING_CATEGORY(lcStore, "mandate.core.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRegistry, "mandate.core.registry", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPolicy, "mandate.core.policy", QtInfoMsg)
Q_LOGGING_CATEGORY(lcBroker, "mandate.core.broker", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCrypto, "mandate.core.crypto", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGateway, "mandate.gateway", QtInfoMsg)
Q_LOGGING_CATEGORY(lcClient, "mandate.core.client", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAudit, "mandate.core.audit", QtInfoMsg)
