// SPDX-License-Identifier: Apache-2.0
// `mandatectl token inspect|verify`: look inside a capability token, or check it against a JWKS.
#include "CommandRegistry.h"

#include "crypto/Base64Url.h"
#include "crypto/CompactJws.h"
#include "crypto/TokenVerifier.h"
#include "json/JsonReader.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>

using namespace mandate;
using namespace mandate::crypto;

namespace mandate::ctl {
namespace {

constexpr qsizetype kMaxInput = 64 * 1024;

void printUsage(QTextStream &s)
{
    s << "Usage:\n"
         "  mandatectl token inspect TOKEN\n"
         "      Print the header and claims (not verified) and the delegation chain.\n"
         "  mandatectl token verify TOKEN --jwks FILE [--issuer ISS] [--audience AUD] [--skew SECS] [--id-token]\n"
         "      Check signature, header policy and claims; print \"valid\" or exactly why not.\n"
         "      Default policy: Mandate execution tokens (EdDSA, typ at+jwt, kid required);\n"
         "      --id-token: identity-provider ID tokens (EdDSA, ES256, RS256).\n"
         "TOKEN may be '-' to read it from standard input.\n"
         "Exit codes: 0 valid / printed, 1 invalid token, 2 usage or unreadable input.\n";
}

/// The token argument, or stdin for "-", without surrounding whitespace.
std::optional<QByteArray> readToken(const QString &arg, QTextStream &err)
{
    QByteArray token;
    if (arg == QLatin1String("-")) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            err << "mandatectl token: cannot read standard input\n";
            return std::nullopt;
        }
        token = in.read(kMaxInput + 1);
    } else {
        token = arg.toUtf8();
    }
    token = token.trimmed();
    if (token.isEmpty()) {
        err << "mandatectl token: empty token\n";
        return std::nullopt;
    }
    if (token.size() > kMaxInput) {
        err << "mandatectl token: token larger than " << kMaxInput << " bytes\n";
        return std::nullopt;
    }
    return token;
}

QString stripPrefix(QString name)
{
    for (const auto prefix : {QLatin1String("agent:"), QLatin1String("user:")}) {
        if (name.startsWith(prefix))
            return name.mid(prefix.size());
    }
    return name;
}

/// RFC 8693 §4.1: the outermost act is the current actor and each nested act an earlier one,
/// so the chain reads sub, then the actors from the innermost act outwards.
QStringList delegationChain(const QJsonObject &claims)
{
    QStringList actors;
    QJsonValue act = claims.value(QStringLiteral("act"));
    while (act.isObject() && actors.size() < 64) {
        const QJsonObject o = act.toObject();
        actors.prepend(stripPrefix(o.value(QStringLiteral("sub")).toString(QStringLiteral("?"))));
        act = o.value(QStringLiteral("act"));
    }
    QStringList chain;
    if (claims.contains(QStringLiteral("sub")))
        chain.append(stripPrefix(claims.value(QStringLiteral("sub")).toString(QStringLiteral("?"))));
    chain += actors;
    return chain;
}

QString describeTime(const QJsonObject &claims, const char *name)
{
    const QJsonValue v = claims.value(QLatin1String(name));
    if (!v.isDouble())
        return {};
    // Years 1 to 9999 only: a forged token's 1e300 must not overflow the arithmetic below.
    const double raw = v.toDouble();
    if (!(raw >= -62135596800.0 && raw <= 253402300799.0))
        return QStringLiteral("%1 (out of range)").arg(raw);
    const qint64 secs = qint64(raw);
    const qint64 delta = secs - QDateTime::currentSecsSinceEpoch();
    const QString when = QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(Qt::ISODate);
    if (delta >= 0)
        return QStringLiteral("%1 (in %2 s)").arg(when).arg(delta);
    return QStringLiteral("%1 (%2 s ago)").arg(when).arg(-delta);
}

int inspect(const QString &arg, QTextStream &out, QTextStream &err)
{
    const auto token = readToken(arg, err);
    if (!token)
        return UsageError;
    auto jws = CompactJws::parse(*token, kMaxInput);
    if (!jws) {
        err << "mandatectl token: not a compact JWS: " << jws.error().code << ": " << jws.error().message << '\n';
        return UsageError;
    }
    json::Failure failure = json::Failure::None;
    auto claims = json::parse(jws->payload(), json::Limits{}, &failure);
    out << "Header:\n" << QJsonDocument(jws->header()).toJson(QJsonDocument::Indented);
    if (!claims || !claims->isObject()) {
        err << "mandatectl token: claims are not a strict JSON object"
            << (claims ? QString() : QStringLiteral(": ") + claims.error().toString()) << '\n';
        return UsageError;
    }
    const QJsonObject object = claims->toObject();
    out << "Claims:\n" << QJsonDocument(object).toJson(QJsonDocument::Indented);
    for (const char *name : {"iat", "nbf", "exp"}) {
        const QString text = describeTime(object, name);
        if (!text.isEmpty())
            out << QString::fromLatin1(name).leftJustified(4) << "  " << text << '\n';
    }
    const QStringList chain = delegationChain(object);
    if (!chain.isEmpty())
        out << "Delegation chain: " << chain.join(QStringLiteral(" \u2192 ")) << '\n';
    out << "(not verified: use 'mandatectl token verify' to check the signature)\n";
    return Ok;
}

int verify(const QStringList &args, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    const QCommandLineOption jwksOption(QStringLiteral("jwks"), QStringLiteral("JWKS file"), QStringLiteral("FILE"));
    const QCommandLineOption issuerOption(QStringLiteral("issuer"), QStringLiteral("required iss"), QStringLiteral("ISS"));
    const QCommandLineOption audienceOption(QStringLiteral("audience"), QStringLiteral("required aud"), QStringLiteral("AUD"));
    const QCommandLineOption skewOption(QStringLiteral("skew"), QStringLiteral("clock skew in seconds"), QStringLiteral("SECS"),
                                        QStringLiteral("60"));
    const QCommandLineOption idTokenOption(QStringLiteral("id-token"), QStringLiteral("ID-token policy"));
    parser.addOptions({jwksOption, issuerOption, audienceOption, skewOption, idTokenOption});
    parser.addPositionalArgument(QStringLiteral("TOKEN"), QStringLiteral("the token, or - for stdin"));
    if (!parser.parse(QStringList{QStringLiteral("mandatectl token verify")} + args)) {
        err << "mandatectl token verify: " << parser.errorText() << '\n';
        return UsageError;
    }
    bool skewOk = false;
    const qint64 skew = parser.value(skewOption).toLongLong(&skewOk);
    QString problem;
    if (parser.positionalArguments().size() != 1)
        problem = QStringLiteral("give exactly one TOKEN (or - for stdin)");
    else if (!parser.isSet(jwksOption))
        problem = QStringLiteral("--jwks FILE is required");
    else if (!skewOk || skew < 0 || skew > ClaimsPolicy::kMaxClockSkewSecs)
        problem = QStringLiteral("--skew must be 0 to %1 seconds").arg(ClaimsPolicy::kMaxClockSkewSecs);
    if (!problem.isEmpty()) {
        err << "mandatectl token verify: " << problem << '\n';
        printUsage(err);
        return UsageError;
    }
    QFile file(parser.value(jwksOption));
    if (!file.open(QIODevice::ReadOnly)) {
        err << "mandatectl token verify: cannot read " << file.fileName() << ": " << file.errorString() << '\n';
        return UsageError;
    }
    auto keys = Jwks::parse(file.read(1 << 20));
    if (!keys) {
        err << "mandatectl token verify: " << file.fileName() << ": " << keys.error().message << '\n';
        return UsageError;
    }
    const auto token = readToken(parser.positionalArguments().first(), err);
    if (!token)
        return UsageError;

    ClaimsPolicy claimsPolicy;
    claimsPolicy.issuer = parser.value(issuerOption);
    claimsPolicy.audience = parser.value(audienceOption);
    claimsPolicy.clockSkewSecs = skew;
    const SystemClock clock;
    const TokenVerifier verifier(parser.isSet(idTokenOption) ? JwsPolicy::idTokens() : JwsPolicy::accessTokens(),
                                 claimsPolicy, keys.value(), clock, 1);
    const auto result = verifier.verify(*token);
    if (!result) {
        out << "invalid: " << result.error().code << ": " << result.error().message << '\n';
        return Failed;
    }
    out << "valid\n";
    return Ok;
}

int run(Invocation &inv)
{
    const QStringList &args = inv.args;
    if (args.isEmpty() || args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")) {
        printUsage(args.isEmpty() ? inv.err : inv.out);
        return args.isEmpty() ? UsageError : Ok;
    }
    const QString sub = args.first();
    if (sub == QLatin1String("inspect")) {
        if (args.size() != 2) {
            printUsage(inv.err);
            return UsageError;
        }
        return inspect(args.at(1), inv.out, inv.err);
    }
    if (sub == QLatin1String("verify"))
        return verify(args.mid(1), inv.out, inv.err);
    inv.err << "mandatectl token: unknown sub-command '" << sub << "'\n";
    printUsage(inv.err);
    return UsageError;
}

const CommandRegistration registration(QStringLiteral("token"),
                                       CommandGroup{QStringLiteral("Inspect or verify capability tokens (JWS)"), run});

} // namespace
} // namespace mandate::ctl
