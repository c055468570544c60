// SPDX-License-Identifier: Apache-2.0
#include "common/Logging.h"

Q_LOGGING_CATEGORY(lcStore, "mandate.core.store")
Q_LOGGING_CATEGORY(lcRegistry, "mandate.core.registry")
Q_LOGGING_CATEGORY(lcPolicy, "mandate.core.policy")
Q_LOGGING_CATEGORY(lcBroker, "mandate.core.broker")
Q_LOGGING_CATEGORY(lcCrypto, "mandate.core.crypto")
Q_LOGGING_CATEGORY(lcGateway, "mandate.gateway")
Q_LOGGING_CATEGORY(lcClient, "mandate.core.client")
Q_LOGGING_CATEGORY(lcAudit, "mandate.core.audit")
