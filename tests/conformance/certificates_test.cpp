// Conformance: certificates on every backend: self-signed, CA-issued,
// every field checked through inspect, and verification that succeeds and
// fails exactly where it must.
#include <gtest/gtest.h>

#include "der.hpp"
#include "support.hpp"
#include "x509_der.hpp"

namespace polytls::test {
namespace {

using CertParam = std::tuple<std::string, KeyType>;

SignatureAlgorithm expected_signature(KeyType type, DigestAlgorithm digest) {
  const auto d = static_cast<uint32_t>(digest);  // sha256 = 2 ... sha512 = 4
  switch (algorithm_of(type)) {
    case KeyAlgorithm::rsa: return static_cast<SignatureAlgorithm>(d);
    case KeyAlgorithm::ec: return static_cast<SignatureAlgorithm>(d + 4);
    default: return SignatureAlgorithm::ed25519;
  }
}

// key_id is the RFC 5280 method-1 key identifier, computed in the test.
std::vector<uint8_t> key_id(const Backend &b, const Key &key) {
  auto spki = key.public_key_der().value();
  auto bits = der::spki_public_key(spki).value();
  return b.digest(DigestAlgorithm::sha1, bits).value();
}

class CertificateTest : public ::testing::TestWithParam<CertParam> {
 protected:
  const std::string &backend_name() const { return std::get<0>(GetParam()); }
  KeyType type() const { return std::get<1>(GetParam()); }
  Backend b() const { return backend(backend_name()); }
  const Key &key() const { return cached_key(backend_name(), type()); }
  // other_key is a second key, never the same as key().
  const Key &other_key() const {
    return cached_key(backend_name(),
                      type() == KeyType::ecdsa_p256 ? KeyType::ecdsa_p384 : KeyType::ecdsa_p256);
  }
};

TEST_P(CertificateTest, SelfSignedLeafCarriesEveryField) {
  CertificateSpec spec = leaf_spec();
  spec.serial = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
  spec.digest = DigestAlgorithm::sha384;
  ASSERT_OK_AND_ASSIGN(Certificate cert, b().self_sign(spec, key()));
  ASSERT_OK_AND_ASSIGN(CertificateInfo info, cert.inspect());

  EXPECT_EQ(info.version, 3);
  EXPECT_EQ(info.subject, spec.subject) << info.subject.to_string();
  EXPECT_EQ(info.issuer, spec.subject) << info.issuer.to_string();
  EXPECT_EQ(info.subject.find(NameAttribute::locality), "Brasília");
  EXPECT_EQ(info.serial, spec.serial);
  EXPECT_EQ(info.not_before, *spec.not_before);
  EXPECT_EQ(info.not_after, *spec.not_after);
  EXPECT_EQ(info.subject_alt_names, spec.subject_alt_names);
  EXPECT_EQ(info.key_type(), type());
  EXPECT_EQ(info.signature_algorithm, expected_signature(type(), spec.digest))
      << to_string(info.signature_algorithm);
  EXPECT_TRUE(info.has_basic_constraints);
  EXPECT_FALSE(info.is_ca);
  EXPECT_FALSE(info.path_length.has_value());
  const uint32_t ku = algorithm_of(type()) == KeyAlgorithm::rsa
                          ? key_usage::digital_signature | key_usage::key_encipherment
                          : key_usage::digital_signature;
  EXPECT_EQ(info.key_usage, ku);
  EXPECT_EQ(info.ext_key_usage, ext_key_usage::server_auth | ext_key_usage::client_auth);
  EXPECT_EQ(info.subject_key_id, key_id(b(), key()));
  EXPECT_EQ(info.authority_key_id, info.subject_key_id);
  ASSERT_OK_AND_ASSIGN(auto fingerprint, b().digest(DigestAlgorithm::sha256, cert.der()));
  EXPECT_TRUE(std::equal(fingerprint.begin(), fingerprint.end(), info.fingerprint_sha256.begin()));

  // The subject Name is byte for byte the one the core encoded, for every backend.
  ASSERT_OK_AND_ASSIGN(der::View subject, der::certificate_subject(cert.der()));
  const der::Bytes expected = der::encode_name(spec.subject);
  EXPECT_EQ(std::vector<uint8_t>(subject.begin(), subject.end()), expected);

  // The certified key is the key.
  ASSERT_OK_AND_ASSIGN(Key pub, cert.public_key());
  EXPECT_FALSE(pub.has_private());
  EXPECT_EQ(pub.public_key_der().value(), key().public_key_der().value());
}

TEST_P(CertificateTest, PemAndDerRoundTripByteForByte) {
  ASSERT_OK_AND_ASSIGN(Certificate cert, b().self_sign(leaf_spec(), key()));
  ASSERT_OK_AND_ASSIGN(Certificate from_pem, b().load_certificate(cert.pem()));
  EXPECT_EQ(from_pem.der(), cert.der());
  ASSERT_OK_AND_ASSIGN(Certificate from_der, b().load_certificate(cert.der()));
  EXPECT_EQ(from_der.der(), cert.der());
  ASSERT_OK_AND_ASSIGN(CertificateInfo a, cert.inspect());
  ASSERT_OK_AND_ASSIGN(CertificateInfo c, from_der.inspect());
  EXPECT_EQ(a.subject, c.subject);
  EXPECT_EQ(a.serial, c.serial);
}

TEST_P(CertificateTest, RandomSerialsArePositive128BitAndDiffer) {
  ASSERT_OK_AND_ASSIGN(Certificate one, b().self_sign(leaf_spec(), key()));
  ASSERT_OK_AND_ASSIGN(Certificate two, b().self_sign(leaf_spec(), key()));
  ASSERT_OK_AND_ASSIGN(CertificateInfo a, one.inspect());
  ASSERT_OK_AND_ASSIGN(CertificateInfo c, two.inspect());
  EXPECT_EQ(a.serial.size(), 16u);
  EXPECT_EQ(a.serial[0] & 0x80, 0);
  EXPECT_NE(a.serial, c.serial);
}

TEST_P(CertificateTest, DefaultValidityIsOneYearFromNow) {
  CertificateSpec spec = leaf_spec();
  spec.not_before.reset();
  spec.not_after.reset();
  const UtcTime before = now_utc();
  ASSERT_OK_AND_ASSIGN(Certificate cert, b().self_sign(spec, key()));
  ASSERT_OK_AND_ASSIGN(CertificateInfo info, cert.inspect());
  EXPECT_GE(info.not_before, before);
  EXPECT_LE(info.not_before, now_utc());
  EXPECT_EQ(info.not_after - info.not_before, std::chrono::days(365));
}

TEST_P(CertificateTest, CaIssuesLeafWithCorrectExtensions) {
  const Backend backend_ = b();
  ASSERT_OK_AND_ASSIGN(Certificate ca, backend_.self_sign(ca_spec(), key()));
  const Key &leaf_key = other_key();
  ASSERT_OK_AND_ASSIGN(Certificate leaf, backend_.issue(leaf_spec(), leaf_key, ca, key()));

  ASSERT_OK_AND_ASSIGN(CertificateInfo ca_info, ca.inspect());
  EXPECT_TRUE(ca_info.is_ca);
  EXPECT_EQ(ca_info.path_length, 0);
  EXPECT_EQ(ca_info.key_usage,
            key_usage::key_cert_sign | key_usage::crl_sign | key_usage::digital_signature);
  EXPECT_FALSE(ca_info.ext_key_usage.has_value());
  EXPECT_TRUE(ca_info.subject_alt_names.empty());
  EXPECT_EQ(ca_info.subject_key_id, key_id(backend_, key()));

  ASSERT_OK_AND_ASSIGN(CertificateInfo info, leaf.inspect());
  EXPECT_EQ(info.issuer, ca_info.subject);
  EXPECT_EQ(info.subject, leaf_spec().subject);
  EXPECT_FALSE(info.is_ca);
  EXPECT_TRUE(info.has_basic_constraints);
  EXPECT_EQ(info.key_type(), leaf_key.type());
  EXPECT_EQ(info.signature_algorithm, expected_signature(type(), DigestAlgorithm::sha256));
  EXPECT_EQ(info.subject_key_id, key_id(backend_, leaf_key));
  EXPECT_EQ(info.authority_key_id, ca_info.subject_key_id);
  EXPECT_EQ(info.key_usage, key_usage::digital_signature);
  EXPECT_EQ(info.ext_key_usage, ext_key_usage::server_auth | ext_key_usage::client_auth);

  // The issuer Name is the CA's subject, byte for byte.
  ASSERT_OK_AND_ASSIGN(der::View ca_subject, der::certificate_subject(ca.der()));
  EXPECT_NE(std::search(leaf.der().begin(), leaf.der().end(), ca_subject.begin(), ca_subject.end()),
            leaf.der().end());

  const std::vector<Certificate> anchors = [&] {
    std::vector<Certificate> v;
    v.push_back(backend_.load_certificate(ca.der()).value());
    return v;
  }();
  EXPECT_OK(backend_.verify(leaf, anchors));
  for (const char *host :
       {"localhost", "LocalHost", "127.0.0.1", "::1", "[::1]", "a.example.test"}) {
    EXPECT_OK(backend_.verify(leaf, anchors, {.host = host})) << host;
  }
  for (const char *host :
       {"localhost2", "example.test", "a.b.example.test", "10.0.0.1", "::2", "127.0.0.2"}) {
    EXPECT_ERROR(backend_.verify(leaf, anchors, {.host = host}), ErrorCode::hostname_mismatch);
  }
  // The CA verifies as its own anchor.
  EXPECT_OK(backend_.verify(ca, anchors));
}

TEST_P(CertificateTest, VerificationFailsWhereItMust) {
  const Backend backend_ = b();
  ASSERT_OK_AND_ASSIGN(Certificate ca, backend_.self_sign(ca_spec(), key()));
  const Key &other = other_key();
  ASSERT_OK_AND_ASSIGN(Certificate other_ca, backend_.self_sign(ca_spec("Other CA"), other));
  ASSERT_OK_AND_ASSIGN(Certificate leaf, backend_.issue(leaf_spec(), other, ca, key()));
  std::vector<Certificate> ca_only;
  ca_only.push_back(backend_.load_certificate(ca.der()).value());
  std::vector<Certificate> wrong;
  wrong.push_back(backend_.load_certificate(other_ca.der()).value());

  EXPECT_OK(backend_.verify(leaf, ca_only));
  EXPECT_ERROR(backend_.verify(leaf, wrong), ErrorCode::untrusted);
  EXPECT_ERROR(backend_.verify(leaf, {}), ErrorCode::untrusted);
  // An IP address host never skips the chain check.
  EXPECT_ERROR(backend_.verify(leaf, wrong, {.host = "127.0.0.1"}), ErrorCode::untrusted);
  EXPECT_ERROR(backend_.verify(leaf, wrong, {.host = "localhost"}), ErrorCode::untrusted);

  // A CA with the same name but another key does not vouch for the leaf.
  ASSERT_OK_AND_ASSIGN(Certificate impostor, backend_.self_sign(ca_spec(), other));
  std::vector<Certificate> impostors;
  impostors.push_back(std::move(impostor));
  EXPECT_ERROR(backend_.verify(leaf, impostors), ErrorCode::untrusted);

  // Expired and not yet valid leaves from a valid CA.
  CertificateSpec expired = leaf_spec();
  expired.not_before = now_utc() - std::chrono::days(60);
  expired.not_after = now_utc() - std::chrono::days(30);
  ASSERT_OK_AND_ASSIGN(Certificate old_leaf, backend_.issue(expired, other, ca, key()));
  EXPECT_ERROR(backend_.verify(old_leaf, ca_only), ErrorCode::expired);

  CertificateSpec future = leaf_spec();
  future.not_before = now_utc() + std::chrono::days(30);
  future.not_after = now_utc() + std::chrono::days(60);
  ASSERT_OK_AND_ASSIGN(Certificate new_leaf, backend_.issue(future, other, ca, key()));
  EXPECT_ERROR(backend_.verify(new_leaf, ca_only), ErrorCode::not_yet_valid);
}

TEST_P(CertificateTest, SelfSignedLeafIsTrustedDirectly) {
  const Backend backend_ = b();
  ASSERT_OK_AND_ASSIGN(Certificate cert, backend_.self_sign(leaf_spec(), key()));
  std::vector<Certificate> itself;
  itself.push_back(backend_.load_certificate(cert.der()).value());
  EXPECT_OK(backend_.verify(cert, itself, {.host = "localhost"}));
  EXPECT_OK(backend_.verify(cert, itself, {.host = "127.0.0.1"}));
  EXPECT_ERROR(backend_.verify(cert, itself, {.host = "example.org"}),
               ErrorCode::hostname_mismatch);

  // Another self-signed certificate with the same name is not this one.
  ASSERT_OK_AND_ASSIGN(Certificate other, backend_.self_sign(leaf_spec(), other_key()));
  EXPECT_ERROR(backend_.verify(other, itself), ErrorCode::untrusted);

  CertificateSpec expired = leaf_spec();
  expired.not_before = now_utc() - std::chrono::days(400);
  expired.not_after = now_utc() - std::chrono::days(35);
  ASSERT_OK_AND_ASSIGN(Certificate old, backend_.self_sign(expired, key()));
  std::vector<Certificate> old_itself;
  old_itself.push_back(backend_.load_certificate(old.der()).value());
  EXPECT_ERROR(backend_.verify(old, old_itself), ErrorCode::expired);

  CertificateSpec future = leaf_spec();
  future.not_before = now_utc() + std::chrono::days(1);
  future.not_after = now_utc() + std::chrono::days(2);
  ASSERT_OK_AND_ASSIGN(Certificate early, backend_.self_sign(future, key()));
  std::vector<Certificate> early_itself;
  early_itself.push_back(backend_.load_certificate(early.der()).value());
  EXPECT_ERROR(backend_.verify(early, early_itself), ErrorCode::not_yet_valid);
}

TEST_P(CertificateTest, DatesBeyond2049UseGeneralizedTime) {
  CertificateSpec spec = leaf_spec();
  spec.not_before = parse_utc_time("2049-12-31T23:59:59Z").value();
  spec.not_after = parse_utc_time("2051-06-30T12:00:00Z").value();
  ASSERT_OK_AND_ASSIGN(Certificate cert, b().self_sign(spec, key()));
  ASSERT_OK_AND_ASSIGN(CertificateInfo info, cert.inspect());
  EXPECT_EQ(info.not_before, *spec.not_before);
  EXPECT_EQ(info.not_after, *spec.not_after);
  const der::Bytes utc = der::encode_time(*spec.not_before);
  const der::Bytes generalized = der::encode_time(*spec.not_after);
  EXPECT_EQ(utc[0], der::kUtcTime);
  EXPECT_EQ(generalized[0], der::kGeneralizedTime);
  auto contains = [&](const der::Bytes &needle) {
    return std::search(cert.der().begin(), cert.der().end(), needle.begin(), needle.end()) !=
           cert.der().end();
  };
  EXPECT_TRUE(contains(utc));
  EXPECT_TRUE(contains(generalized));
}

std::vector<CertParam> params() {
  std::vector<CertParam> out;
  for (const std::string &name : backend_names()) {
    for (KeyType type : kAllKeyTypes) {
      if (backend(name).supports(type)) out.emplace_back(name, type);
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Backends, CertificateTest, ::testing::ValuesIn(params()),
                         [](const ::testing::TestParamInfo<CertParam> &p) {
                           return param_name(std::get<0>(p.param) + "_" +
                                             std::string(to_string(std::get<1>(p.param))));
                         });

// CertificateSpecTest: invalid specifications are refused before any backend runs.
class CertificateSpecTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CertificateSpecTest, RefusesInvalidSpecifications) {
  const Backend b = backend(GetParam());
  const Key &key = cached_key(GetParam(), KeyType::ecdsa_p256);
  auto refuse = [&](CertificateSpec spec, const char *why) {
    auto result = b.self_sign(spec, key);
    EXPECT_ERROR(result, ErrorCode::bad_input);
    if (!result) {
      EXPECT_FALSE(result.error().message().empty()) << why;
    }
  };
  CertificateSpec empty_subject = leaf_spec();
  empty_subject.subject = DistinguishedName();
  refuse(empty_subject, "empty subject");
  CertificateSpec no_san = leaf_spec();
  no_san.subject_alt_names.clear();
  refuse(no_san, "server certificate without SANs");
  CertificateSpec backwards = leaf_spec();
  backwards.not_after = *backwards.not_before - std::chrono::seconds(1);
  refuse(backwards, "not_after before not_before");
  CertificateSpec sha1 = leaf_spec();
  sha1.digest = DigestAlgorithm::sha1;
  refuse(sha1, "SHA-1");
  CertificateSpec leaf_path = leaf_spec();
  leaf_path.path_length = 1;
  refuse(leaf_path, "path length on a leaf");
  CertificateSpec ca_without_certsign = ca_spec();
  ca_without_certsign.key_usage = key_usage::digital_signature;
  refuse(ca_without_certsign, "CA without keyCertSign");
  CertificateSpec long_serial = leaf_spec();
  long_serial.serial.assign(21, 0x11);
  refuse(long_serial, "serial over 20 octets");
  CertificateSpec zero_serial = leaf_spec();
  zero_serial.serial = {0, 0};
  refuse(zero_serial, "zero serial");
  CertificateSpec bad_country = leaf_spec();
  bad_country.subject = DistinguishedName({{NameAttribute::country, "Brazil"}});
  refuse(bad_country, "three-letter country");

  // A client-only certificate may go without SANs.
  CertificateSpec client = leaf_spec("client");
  client.subject_alt_names.clear();
  client.ext_key_usage = ext_key_usage::client_auth;
  EXPECT_OK(b.self_sign(client, key));
}

TEST_P(CertificateSpecTest, IssuingNeedsARealCaAndItsKey) {
  const Backend b = backend(GetParam());
  const Key &key = cached_key(GetParam(), KeyType::ecdsa_p256);
  const Key &other = cached_key(GetParam(), KeyType::rsa2048);
  ASSERT_OK_AND_ASSIGN(Certificate not_ca, b.self_sign(leaf_spec(), key));
  EXPECT_ERROR(b.issue(leaf_spec(), other, not_ca, key), ErrorCode::bad_input);
  ASSERT_OK_AND_ASSIGN(Certificate ca, b.self_sign(ca_spec(), key));
  EXPECT_ERROR(b.issue(leaf_spec(), other, ca, other), ErrorCode::bad_input);
  ASSERT_OK_AND_ASSIGN(std::string pub_pem, key.public_key_pem());
  ASSERT_OK_AND_ASSIGN(Key pub, b.load_key(pub_pem));
  EXPECT_ERROR(b.issue(leaf_spec(), other, ca, pub), ErrorCode::bad_input);
  EXPECT_ERROR(b.self_sign(leaf_spec(), pub), ErrorCode::bad_input);
  // A public key is enough for the subject.
  ASSERT_OK_AND_ASSIGN(std::string other_pub_pem, other.public_key_pem());
  ASSERT_OK_AND_ASSIGN(Key other_pub, b.load_key(other_pub_pem));
  EXPECT_OK(b.issue(leaf_spec(), other_pub, ca, key));
}

INSTANTIATE_TEST_SUITE_P(Backends, CertificateSpecTest, ::testing::ValuesIn(backend_names()),
                         BackendParamName());

}  // namespace
}  // namespace polytls::test
