// SPDX-License-Identifier: Apache-2.0
#include "crypto/SelfTest.h"

#include "crypto/Base64Url.h"
#include "crypto/EcP256PublicKey.h"
#include "crypto/Ed25519Key.h"
#include "crypto/Random.h"
#include "crypto/RsaPublicKey.h"
#include "crypto/SecretHasher.h"
#include "crypto/Sha256.h"

#include "common/Logging.h"

namespace mandate::crypto {

namespace {

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(QByteArray(text));
}

Status failed(const char *what)
{
    return Error{QStringLiteral("self_test"), QStringLiteral("crypto self-test failed: %1").arg(QLatin1String(what)), {}};
}

// RFC 8032 §7.1, TEST 2.
constexpr const char *kEdSeed = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
constexpr const char *kEdPublic = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
constexpr const char *kEdMessage = "72";
constexpr const char *kEdSignature = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                                     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

// Generated once with `openssl` for this test: P-256 and RSA-2048 signatures over kMessage.
constexpr const char *kMessage = "mandate self-test";
constexpr const char *kEcX = "c1cc5025791a7d0357604a47adff1f0a3dc4148072b23ca76cd65cab47dfbe21";
constexpr const char *kEcY = "34a92739e180a86aaba978147c439fcfdbbfc65c5b932727e9ae1c8ecd2475df";
constexpr const char *kEcSignature = "c3878d481ea6b8bcb4100c915e53d48d5039831e6d1bbec163c8dd15e38cc2fe"
                                     "17eba1b0c398281684a35728e7ba24d390d76c1a8566b79d3ff6d16c56c48c21";
constexpr const char *kRsaN =
    "9401159bf2d0aa8076b72b332ea653b37467d0a2aebba0987205227b559ded253d2548c6dfc85d8e89191372056f2fc3"
    "ace5d48647965b6158bfd8723a8efdc9ad1cddbea6eec0e29382d4958568b246728374e9ab92ef5bb9460911597521ec"
    "41c04cd4974b73524e51c6d1344e9c803f544a28b1cba7c1f7228d9ac286b6fc6e464bd80fbac991c4ee5d4b1ab9e4d6"
    "97b15567c746c9066ccfef752b9dbeef2f19bb47ef18e175b4f24148d685dfa9061f0c29e7b529e1a4f4c5d3ddaff3bd"
    "be2c49d7ca77bb3b873b670823629213b277e5eb754af7529363097b3f842ba8320fac1bdc1d038a78ee5f91003fa398"
    "0fe6b32f62563b966697405420cbd373";
constexpr const char *kRsaSignature =
    "12e78b250626c2564ec40919c99d7d2ecce45d01edbadd1132db0f4771032309b61a67b64094f5f5ffc8ae81f8b56adc"
    "3775ed2638e287cbc19ede47e5d52e1e6e3c8d7236fda5b09c331008bf36e706f3da054e04c8b4ad4e611683647876308f"
    "9f64b0122596d02244cda73ae74d8cdbca5e704d10912e6f2f60f1b23c516cca3b304a00226c00b459908c82b00e5f78ab"
    "f5c4d8441cc43e9db4d1682d2efa0599bf7cece758b2c4721e6fb40dfd753a7794e987f620e3d3767723ecd2a03e7949ed"
    "5493a9bcc1684063bc521ad50336354f248ae0cc2af885f0c7decce64987083ef254a7d6b9b4e71d7360c6d51044d4bd6d"
    "1dcd6049dd9b210896828c5c";

// RFC 7914 §12, first vector (P = "", S = "", N = 16, r = 1, p = 1).
constexpr const char *kScrypt = "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
                                "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906";

QByteArray flipped(QByteArray b)
{
    b[b.size() / 2] = char(b[b.size() / 2] ^ 0x01);
    return b;
}

} // namespace

Status SelfTest::run()
{
    if (Sha256::hash("abc") != hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        return failed("SHA-256 known answer");

    if (Base64Url::encode(hex("fbff")) != "-_8" || !Base64Url::decode("-_8").ok()
        || Base64Url::decode("-_9").ok() || Base64Url::decode("-_8=").ok())
        return failed("base64url");

    auto ed = Ed25519Key::fromSeed(hex(kEdSeed));
    if (!ed || ed->publicKey() != hex(kEdPublic))
        return failed("Ed25519 public key derivation");
    auto edSignature = ed->sign(hex(kEdMessage));
    if (!edSignature || edSignature.value() != hex(kEdSignature))
        return failed("Ed25519 signature known answer");
    auto edPublic = Ed25519Key::fromPublicKey(hex(kEdPublic));
    if (!edPublic || !edPublic->verify(hex(kEdMessage), hex(kEdSignature)).ok()
        || edPublic->verify(hex(kEdMessage), flipped(hex(kEdSignature))).ok())
        return failed("Ed25519 verification");

    auto ec = EcP256PublicKey::fromCoordinates(hex(kEcX), hex(kEcY));
    if (!ec || !ec->verify(kMessage, hex(kEcSignature)).ok() || ec->verify(kMessage, flipped(hex(kEcSignature))).ok())
        return failed("ES256 verification");

    auto rsa = RsaPublicKey::fromModulusExponent(hex(kRsaN), hex("010001"));
    if (!rsa || !rsa->verifyPkcs1Sha256(kMessage, hex(kRsaSignature)).ok()
        || rsa->verifyPkcs1Sha256(kMessage, flipped(hex(kRsaSignature))).ok())
        return failed("RS256 verification");

    auto kdf = SecretHasher::scrypt({}, {}, SecretHasher::Params{4, 1, 1}, 64);
    if (!kdf || kdf.value() != hex(kScrypt))
        return failed("scrypt known answer");

    auto a = Random::bytes(32);
    auto b = Random::bytes(32);
    if (!a || !b || a.value() == b.value())
        return failed("random generator");

    qCDebug(lcCrypto) << "crypto self-test passed";
    return {};
}

} // namespace mandate::crypto
