// polytls-certgen end to end, on every backend.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "support.hpp"

namespace polytls::test {
namespace {

class CertgenTest : public ::testing::TestWithParam<std::string> {
 protected:
  ProcessResult certgen(std::vector<std::string> args, const std::vector<std::string> &env = {}) {
    args.insert(args.begin(), {POLYTLS_CERTGEN_PATH, "--backend", GetParam()});
    return run(args, {}, std::chrono::seconds(120), env);
  }
  std::string at(const std::string &name) const { return (dir_ / name).string(); }
  Backend b() const { return backend(GetParam()); }

  TempDir dir_;
};

mode_t mode_of(const std::string &path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

TEST_P(CertgenTest, DefaultsReproduceTheExerciseDoneRight) {
  ProcessResult r = certgen({"--out-cert", at("cert.pem"), "--out-key", at("key.pem")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(at("key.pem")), 0600u);
  EXPECT_NE(r.out.find("made a self-signed certificate with " + GetParam()), std::string::npos)
      << r.out;

  ASSERT_OK_AND_ASSIGN(Certificate cert, b().load_certificate_file(at("cert.pem")));
  ASSERT_OK_AND_ASSIGN(CertificateInfo info, cert.inspect());
  EXPECT_EQ(info.subject.to_string(), "CN=localhost");
  EXPECT_EQ(info.key_type(), KeyType::rsa2048);
  EXPECT_EQ(info.signature_algorithm, SignatureAlgorithm::rsa_pkcs1_sha256);
  EXPECT_EQ(info.not_after - info.not_before, std::chrono::days(365));
  ASSERT_EQ(info.subject_alt_names.size(), 3u);
  EXPECT_EQ(info.subject_alt_names[0].to_string(), "DNS:localhost");
  EXPECT_EQ(info.subject_alt_names[1].to_string(), "IP:127.0.0.1");
  EXPECT_EQ(info.subject_alt_names[2].to_string(), "IP:::1");
  EXPECT_EQ(info.serial.size(), 16u);
  EXPECT_FALSE(info.is_ca);
  EXPECT_NE(r.out.find(info.fingerprint_hex()), std::string::npos)
      << "summary shows the fingerprint";

  ASSERT_OK_AND_ASSIGN(Key key, b().load_key_file(at("key.pem")));
  ASSERT_OK_AND_ASSIGN(Key certified, cert.public_key());
  EXPECT_EQ(key.public_key_der().value(), certified.public_key_der().value());
  std::vector<Certificate> anchors;
  anchors.push_back(std::move(cert));
  EXPECT_OK(b().verify(anchors[0], anchors, {.host = "localhost"}));
}

TEST_P(CertgenTest, NeverOverwritesWithoutForce) {
  write_text(at("cert.pem"), "precious");
  ProcessResult r = certgen({"--out-cert", at("cert.pem"), "--out-key", at("key.pem")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("already exists; use --force"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(at("cert.pem")), "precious");
  EXPECT_FALSE(std::filesystem::exists(at("key.pem")))
      << "nothing is written when one output exists";

  ProcessResult forced = certgen({"--out-cert", at("cert.pem"), "--out-key", at("key.pem"),
                                  "--force", "--key-type", "ecdsa-p256"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(read_text(at("cert.pem")).starts_with("-----BEGIN CERTIFICATE-----"));
  EXPECT_EQ(mode_of(at("key.pem")), 0600u);
}

TEST_P(CertgenTest, LocalCaIssuesALeafThatVerifies) {
  ProcessResult ca = certgen(
      {"--ca", "--key-type", "ecdsa-p384", "--subject", "C=BR,O=UnB,CN=UnB Local CA", "--out-cert",
       at("ca.pem"), "--out-key", at("ca-key.pem"), "--passphrase-env", "CA_PASS"},
      {"CA_PASS=open sesame"});
  ASSERT_EQ(ca.exit_code, 0) << ca.err;
  EXPECT_TRUE(read_text(at("ca-key.pem")).starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));

  ProcessResult wrong = certgen(
      {"--issuer-cert", at("ca.pem"), "--issuer-key", at("ca-key.pem"), "--issuer-passphrase-env",
       "CA_PASS", "--out-cert", at("leaf.pem"), "--out-key", at("leaf-key.pem")},
      {"CA_PASS=wrong"});
  EXPECT_EQ(wrong.exit_code, 4) << wrong.err;
  EXPECT_FALSE(std::filesystem::exists(at("leaf.pem")));

  ProcessResult leaf =
      certgen({"--issuer-cert",
               at("ca.pem"),
               "--issuer-key",
               at("ca-key.pem"),
               "--issuer-passphrase-env",
               "CA_PASS",
               "--subject",
               "C=BR,ST=Distrito Federal,L=Brasília,O=UnB,OU=CIC,CN=api.example.test",
               "--san",
               "DNS:api.example.test",
               "--san",
               "DNS:*.api.example.test",
               "--san",
               "IP:10.0.0.7",
               "--key-type",
               "ecdsa-p256",
               "--out-cert",
               at("leaf.pem"),
               "--out-key",
               at("leaf-key.pem"),
               "--format",
               "json"},
              {"CA_PASS=open sesame"});
  ASSERT_EQ(leaf.exit_code, 0) << leaf.err;
  const nlohmann::json summary = nlohmann::json::parse(leaf.out);
  EXPECT_EQ(summary["kind"], "issued");
  EXPECT_EQ(summary["certificate"]["issuer"], "C=BR, O=UnB, CN=UnB Local CA");
  EXPECT_EQ(summary["certificate"]["subject_attributes"]["L"], "Brasília");
  EXPECT_EQ(summary["backend"]["name"], GetParam());

  ASSERT_OK_AND_ASSIGN(std::vector<Certificate> anchors, b().load_certificates_file(at("ca.pem")));
  ASSERT_OK_AND_ASSIGN(Certificate cert, b().load_certificate_file(at("leaf.pem")));
  EXPECT_OK(b().verify(cert, anchors, {.host = "x.api.example.test"}));
  EXPECT_OK(b().verify(cert, anchors, {.host = "10.0.0.7"}));
  EXPECT_ERROR(b().verify(cert, anchors, {.host = "example.test"}), ErrorCode::hostname_mismatch);
}

TEST_P(CertgenTest, ExplicitDatesMakeExpiredAndFutureCertificates) {
  ProcessResult old = certgen({"--key-type", "ecdsa-p256", "--not-before", "2020-01-01",
                               "--not-after", "2021-01-01T00:00:00Z", "--out-cert", at("old.pem"),
                               "--out-key", at("old-key.pem")});
  ASSERT_EQ(old.exit_code, 0) << old.err;
  ASSERT_OK_AND_ASSIGN(std::vector<Certificate> olds, b().load_certificates_file(at("old.pem")));
  EXPECT_ERROR(b().verify(olds[0], olds), ErrorCode::expired);
  EXPECT_EQ(format_utc_time(olds[0].inspect().value().not_before), "2020-01-01T00:00:00Z");

  ProcessResult future =
      certgen({"--key-type", "ecdsa-p256", "--not-before", "2090-01-01", "--days", "30",
               "--out-cert", at("new.pem"), "--out-key", at("new-key.pem")});
  ASSERT_EQ(future.exit_code, 0) << future.err;
  ASSERT_OK_AND_ASSIGN(std::vector<Certificate> news, b().load_certificates_file(at("new.pem")));
  EXPECT_ERROR(b().verify(news[0], news), ErrorCode::not_yet_valid);
  EXPECT_EQ(format_utc_time(news[0].inspect().value().not_after), "2090-01-31T00:00:00Z");
}

TEST_P(CertgenTest, InspectShowsWhatTheBackendSees) {
  ASSERT_EQ(certgen({"--key-type", "ecdsa-p256", "--cn", "inspect.example.test", "--serial",
                     "0a:0b:0c", "--out-cert", at("c.pem"), "--out-key", at("k.pem")})
                .exit_code,
            0);
  ProcessResult text = certgen({"--inspect", at("c.pem")});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("CN=inspect.example.test"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("DNS:inspect.example.test"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("0a0b0c"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("read by " + GetParam()), std::string::npos);
  ProcessResult json = certgen({"--inspect", at("c.pem"), "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["certificates"][0]["serial"], "0a0b0c");
  EXPECT_EQ(j["certificates"][0]["key"], "EC P-256");
  EXPECT_EQ(j["certificates"][0]["extended_key_usage"],
            nlohmann::json::array({"serverAuth", "clientAuth"}));
}

TEST_P(CertgenTest, BadInputGetsAClearErrorAndWritesNothing) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    const char *says;
  };
  const Case cases[] = {
      {{"--key-type", "rsa1024"}, 7, "unknown key type 'rsa1024'"},
      {{"--san", "localhost"}, 7, "not a SubjectAltName"},
      {{"--san", "DNS:*.test"}, 7, "wildcard"},
      {{"--subject", "C=Brazil,CN=x"}, 7, "two-letter"},
      {{"--not-after", "2030-02-30"}, 7, "not a UTC time"},
      {{"--not-before", "2030-01-01", "--not-after", "2029-01-01"}, 7, "must be later"},
      {{"--digest", "md5"}, 7, "unknown digest"},
      {{"--issuer-cert", "x.pem"}, 7, "go together"},
      {{"--issuer-cert", "/nonexistent/ca.pem", "--issuer-key", "/nonexistent/ca-key.pem"},
       6,
       "no such file"},
      {{"--inspect", "/nonexistent/cert.pem"}, 6, "no such file"},
      {{"--cn", "not a host"}, 7, "give the names with --san"},
      {{"--days", "0"}, 2, "--days"},
      {{"--no-such-option"}, 2, "no-such-option"},
  };
  for (const Case &c : cases) {
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {"--out-cert", at("cert.pem"), "--out-key", at("key.pem")});
    ProcessResult r = certgen(args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.says << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(at("cert.pem"))) << c.says;
    EXPECT_FALSE(std::filesystem::exists(at("key.pem"))) << c.says;
  }
  write_text(at("garbage.pem"),
             "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
  ProcessResult garbage = certgen({"--inspect", at("garbage.pem")});
  EXPECT_EQ(garbage.exit_code, 7) << garbage.err;
  EXPECT_NE(garbage.err.find("invalid base64"), std::string::npos) << garbage.err;
}

TEST_P(CertgenTest, UnsupportedKeyTypesSaySo) {
  ProcessResult r =
      certgen({"--key-type", "ed25519", "--out-cert", at("c.pem"), "--out-key", at("k.pem")});
  if (b().supports(KeyType::ed25519)) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(b().load_certificate_file(at("c.pem")).value().inspect().value().signature_algorithm,
              SignatureAlgorithm::ed25519);
  } else {
    EXPECT_EQ(r.exit_code, 5);
    EXPECT_NE(r.err.find("ed25519 keys: not supported by the " + GetParam() + " backend"),
              std::string::npos)
        << r.err;
  }
}

TEST_P(CertgenTest, ListsBackendsInTextAndJson) {
  ProcessResult text = certgen({"--list-backends"});
  ASSERT_EQ(text.exit_code, 0);
  ProcessResult json = certgen({"--list-backends", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0);
  const nlohmann::json list = nlohmann::json::parse(json.out);
  ASSERT_EQ(list.size(), backend_names().size());
  for (const std::string &name : backend_names()) {
    EXPECT_NE(text.out.find(name), std::string::npos);
    const Backend other = backend(name);
    EXPECT_NE(text.out.find(other.capabilities().runtime_version), std::string::npos);
  }
  const std::string origin = list[0]["origin"];
  EXPECT_TRUE(origin == "built-in" || origin.ends_with(".so")) << origin;
  EXPECT_TRUE(list[0]["key_types"].is_array());
}

TEST(CertgenGlobal, UnknownBackendListsTheOnesThatExist) {
  ProcessResult r =
      run({POLYTLS_CERTGEN_PATH, "--backend", "no-such-lib", "--out-cert", "/dev/null"});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_NE(r.err.find("unknown backend 'no-such-lib' (available: "), std::string::npos) << r.err;
  ProcessResult env = run({POLYTLS_CERTGEN_PATH, "--list-backends"}, {}, std::chrono::seconds(30),
                          {"POLYTLS_BACKEND=" + backend_names().front()});
  EXPECT_NE(env.out.find(backend_names().front() + " (default)"), std::string::npos) << env.out;
  ProcessResult bad_env = run({POLYTLS_CERTGEN_PATH, "--inspect", "x.pem"}, {},
                              std::chrono::seconds(30), {"POLYTLS_BACKEND=nope"});
  EXPECT_EQ(bad_env.exit_code, 6);
  EXPECT_NE(bad_env.err.find("POLYTLS_BACKEND: unknown backend 'nope'"), std::string::npos)
      << bad_env.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, CertgenTest, ::testing::ValuesIn(backend_names()),
                         BackendParamName());

}  // namespace
}  // namespace polytls::test
