// SPDX-License-Identifier: Apache-2.0
#include "client/ClientError.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace mandate::client {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("mandate::client::ClientError", text);
}

} // namespace

ClientError ClientError::protocol(const QString &detail)
{
    ClientError error;
    error.kind = Kind::Protocol;
    error.detail = detail;
    return error;
}

ClientError ClientError::fromHttp(int status, const QJsonObject &problem)
{
    ClientError error;
    error.httpStatus = status;
    error.title = problem.value(QStringLiteral("title")).toString();
    error.detail = problem.value(QStringLiteral("detail")).toString();
    switch (status) {
    case 401: error.kind = Kind::Unauthorized; break;
    case 403: error.kind = Kind::Forbidden; break;
    case 404: error.kind = Kind::NotFound; break;
    case 409: error.kind = Kind::AlreadyExists; break;
    case 412: error.kind = Kind::Conflict; break;
    case 422: error.kind = Kind::Invalid; break;
    case 428: error.kind = Kind::PreconditionRequired; break;
    default: error.kind = status >= 500 ? Kind::Server : Kind::BadRequest; break;
    }
    const QJsonArray errors = problem.value(QStringLiteral("errors")).toArray();
    for (const QJsonValue &item : errors) {
        const QJsonObject object = item.toObject();
        error.fieldErrors.push_back(Error{QStringLiteral("invalid"), object.value(QStringLiteral("message")).toString(),
                                          object.value(QStringLiteral("path")).toString()});
    }
    // A 422 for one record names its single problem in detail/path only; keep it addressable.
    if (error.kind == Kind::Invalid && error.fieldErrors.empty() && problem.contains(QStringLiteral("path"))) {
        error.fieldErrors.push_back(Error{QStringLiteral("invalid"), error.detail, problem.value(QStringLiteral("path")).toString()});
    }
    error.currentVersion = problem.value(QStringLiteral("currentVersion")).toInteger();
    error.current = problem.value(QStringLiteral("current")).toObject();
    return error;
}

QString ClientError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Network: return QStringLiteral("network");
    case Kind::Timeout: return QStringLiteral("timeout");
    case Kind::Tls: return QStringLiteral("tls");
    case Kind::Unauthorized: return QStringLiteral("unauthorized");
    case Kind::Forbidden: return QStringLiteral("forbidden");
    case Kind::NotFound: return QStringLiteral("not_found");
    case Kind::AlreadyExists: return QStringLiteral("exists");
    case Kind::Conflict: return QStringLiteral("conflict");
    case Kind::PreconditionRequired: return QStringLiteral("precondition_required");
    case Kind::Invalid: return QStringLiteral("invalid");
    case Kind::BadRequest: return QStringLiteral("bad_request");
    case Kind::Server: return QStringLiteral("server");
    case Kind::Protocol: return QStringLiteral("protocol");
    case Kind::Cancelled: return QStringLiteral("cancelled");
    }
    return {};
}

QString ClientError::message() const
{
    QString summary;
    switch (kind) {
    case Kind::Network: summary = tr("The gateway cannot be reached."); break;
    case Kind::Timeout: summary = tr("The gateway did not answer in time."); break;
    case Kind::Tls: summary = tr("The secure connection to the gateway failed (TLS)."); break;
    case Kind::Unauthorized: summary = tr("The gateway rejected the API key (401)."); break;
    case Kind::Forbidden: summary = tr("This API key's role may not do that (403)."); break;
    case Kind::NotFound: summary = tr("The record no longer exists on the gateway (404)."); break;
    case Kind::AlreadyExists: summary = tr("The gateway refused the change: the record exists or is still in use (409)."); break;
    case Kind::Conflict: summary = tr("Someone else changed this record on the gateway (412)."); break;
    case Kind::PreconditionRequired: summary = tr("The gateway requires the record version (428)."); break;
    case Kind::Invalid: summary = tr("The gateway found invalid data (422)."); break;
    case Kind::BadRequest: summary = tr("The gateway rejected the request (%1).").arg(httpStatus); break;
    case Kind::Server: summary = tr("The gateway failed (%1).").arg(httpStatus); break;
    case Kind::Protocol: summary = tr("The gateway's answer could not be read."); break;
    case Kind::Cancelled: summary = tr("Cancelled."); break;
    }
    const QString why = detail.isEmpty() ? title : detail;
    return why.isEmpty() ? summary : summary + u' ' + why;
}

bool ClientError::isTransient() const
{
    return kind == Kind::Network || kind == Kind::Timeout || kind == Kind::Server;
}

Error ClientError::toError() const
{
    Error error{kindName(kind), message()};
    error.details = fieldErrors;
    return error;
}

} // namespace mandate::client
