// The cross-backend TLS matrix: every server backend against every client
// backend, per version, key type and transport; negative cases per pair.
#include <gtest/gtest.h>

#include "matrix.hpp"
#include "polytls/wire.hpp"
#include "tls_support.hpp"

namespace polytls::test {
namespace {

std::string cell_name(const matrix::Cell &c) {
  return param_name(
      c.server + "_to_" + c.client + "_" + (c.version == TlsVersion::tls12 ? "tls12" : "tls13") +
      "_" + std::string(to_string(c.key_type)) + "_" + std::string(matrix::to_string(c.transport)));
}

// ---- every applicable cell passes --------------------------------------------

class MatrixCellTest : public ::testing::TestWithParam<matrix::Cell> {};

TEST_P(MatrixCellTest, NegotiatesAndCarriesAMebibyte) {
  const matrix::Cell &cell = GetParam();
  const test::Pki &pk = pki(cell.server, cell.key_type);
  const matrix::Pki mp{copy(pk.ca, backend(cell.server)), copy(pk.server, backend(cell.server)),
                       copy_key(pk.server_key, backend(cell.server))};
  const matrix::CellResult big = matrix::run_cell(cell, mp, 1 << 20);
  ASSERT_EQ(big.status, matrix::Status::pass) << big.reason;
  EXPECT_EQ(big.negotiated_version, std::string(to_string(cell.version)));
  EXPECT_FALSE(big.cipher_suite.empty());
  const matrix::CellResult small = matrix::run_cell(cell, mp, 5);
  EXPECT_EQ(small.status, matrix::Status::pass) << small.reason;
  if (cell.transport != matrix::TransportKind::memory) return;

  // On the wire (through a tap): the hellos say what was negotiated, and
  // the application payload never appears in plaintext.
  const Backend s = backend(cell.server), c = backend(cell.client);
  TlsServerConfig sc;
  sc.chain = copies(pk.server, s);
  sc.key = copy_key(pk.server_key, s);
  sc.min_version = sc.max_version = cell.version;
  TlsClientConfig cc;
  cc.anchors = copies(pk.ca, c);
  cc.min_version = cc.max_version = cell.version;
  ASSERT_OK_AND_ASSIGN(TlsContext sctx, s.make_server_context(std::move(sc)));
  ASSERT_OK_AND_ASSIGN(TlsContext cctx, c.make_client_context(std::move(cc)));
  ASSERT_OK_AND_ASSIGN(SessionPair pair, connect_memory(cctx, sctx, {.host = "localhost"}));
  ASSERT_TRUE(pump(pair.client, pair.server).both_ok());
  const std::string secret = "polytls matrix secret payload";
  ASSERT_OK(transfer(pair.client, pair.server, bytes(secret)));
  ASSERT_OK(transfer(pair.server, pair.client, bytes(secret)));
  for (auto direction : {TapTransport::Direction::sent, TapTransport::Direction::received}) {
    const auto wire_bytes = pair.tap->bytes(direction);
    EXPECT_EQ(std::search(wire_bytes.begin(), wire_bytes.end(), secret.begin(), secret.end()),
              wire_bytes.end());
  }
  const auto sent = pair.tap->bytes(TapTransport::Direction::sent);
  const auto received = pair.tap->bytes(TapTransport::Direction::received);
  ASSERT_OK_AND_ASSIGN(auto out, wire::split_records(sent));
  ASSERT_OK_AND_ASSIGN(auto hello_msgs, wire::plaintext_handshake(out.records));
  ASSERT_FALSE(hello_msgs.empty());
  ASSERT_OK_AND_ASSIGN(auto ch, wire::parse_client_hello(hello_msgs[0].body));
  EXPECT_EQ(ch.legacy_version, 0x0303);
  ASSERT_OK_AND_ASSIGN(auto in, wire::split_records(received));
  ASSERT_OK_AND_ASSIGN(auto server_msgs, wire::plaintext_handshake(in.records));
  ASSERT_FALSE(server_msgs.empty());
  ASSERT_OK_AND_ASSIGN(auto sh, wire::parse_server_hello(server_msgs[0].body));
  EXPECT_EQ(sh.legacy_version, 0x0303);
  EXPECT_EQ(sh.negotiated_version(), static_cast<uint16_t>(cell.version));
  EXPECT_EQ(sh.selected_version.has_value(), cell.version == TlsVersion::tls13);
}

std::vector<matrix::Cell> applicable_cells() {
  std::vector<matrix::Cell> out;
  for (const matrix::Cell &c : matrix::cells(
           available_backends(), {matrix::TransportKind::memory, matrix::TransportKind::tcp})) {
    if (!matrix::not_applicable(backend(c.server), backend(c.client), c.version, c.key_type)) {
      out.push_back(c);
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Pairs, MatrixCellTest, ::testing::ValuesIn(applicable_cells()),
                         [](const auto &p) { return cell_name(p.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(MatrixCellTest);

// ---- cells that cannot work say why, from the capabilities -----------------------

TEST(MatrixPlan, InapplicableCellsNameTheMissingPiece) {
  for (const matrix::Cell &c :
       matrix::cells(available_backends(), {matrix::TransportKind::memory})) {
    const Backend server = backend(c.server), client = backend(c.client);
    const auto why = matrix::not_applicable(server, client, c.version, c.key_type);
    const bool versions_ok =
        supports_version(server, c.version) && supports_version(client, c.version);
    const bool keys_ok =
        server.supports(c.key_type) &&
        ((client.capabilities().key_algorithms >> static_cast<uint32_t>(algorithm_of(c.key_type))) &
         1u) != 0;
    EXPECT_EQ(why.has_value(), !(versions_ok && keys_ok)) << cell_name(c);
    if (why) {
      const bool names_backend =
          why->find(c.server) != std::string::npos || why->find(c.client) != std::string::npos;
      EXPECT_TRUE(names_backend) << *why;
    }
  }
}

// ---- negative cases and resumption, per pair and version ----------------------------

using PairParam = std::tuple<std::string, std::string, TlsVersion>;  // server, client, version

class MatrixPairTest : public ::testing::TestWithParam<PairParam> {
 protected:
  Backend server() const { return backend(std::get<0>(GetParam())); }
  Backend client() const { return backend(std::get<1>(GetParam())); }
  TlsVersion version() const { return std::get<2>(GetParam()); }
  const test::Pki &p() const { return pki(std::get<0>(GetParam()), KeyType::ecdsa_p256); }

  TlsServerConfig server_config(const Certificate &cert) const {
    TlsServerConfig c;
    c.chain = copies(cert, server());
    c.key = copy_key(p().server_key, server());
    c.min_version = c.max_version = version();
    return c;
  }
  TlsClientConfig client_config(const Certificate &anchor) const {
    TlsClientConfig c;
    c.anchors = copies(anchor, client());
    c.min_version = c.max_version = version();
    return c;
  }
  HandshakeOutcome run(TlsClientConfig cc, TlsServerConfig sc, const std::string &host,
                       std::optional<SessionPair> *keep = nullptr) const {
    auto cctx = client().make_client_context(std::move(cc));
    auto sctx = server().make_server_context(std::move(sc));
    if (!cctx || !sctx) {
      ADD_FAILURE() << (!cctx ? cctx.error().to_string() : sctx.error().to_string());
      return {Error(ErrorCode::internal, "context"), Error(ErrorCode::internal, "context")};
    }
    auto pair = connect_memory(*cctx, *sctx, {.host = host});
    if (!pair) return {pair.error(), pair.error()};
    HandshakeOutcome out = pump(pair->client, pair->server);
    if (keep != nullptr) keep->emplace(std::move(pair).value());
    return out;
  }
};

TEST_P(MatrixPairTest, FailsWithTheRightCategory) {
  EXPECT_ERROR(run(client_config(p().other_ca), server_config(p().server), "localhost").client,
               ErrorCode::untrusted);
  EXPECT_ERROR(run(client_config(p().ca), server_config(p().server), "wrong.example").client,
               ErrorCode::hostname_mismatch);
  EXPECT_ERROR(run(client_config(p().other_ca), server_config(p().server), "127.0.0.1").client,
               ErrorCode::untrusted);
  EXPECT_ERROR(run(client_config(p().ca), server_config(p().server), "192.0.2.1").client,
               ErrorCode::hostname_mismatch);
  EXPECT_ERROR(run(client_config(p().ca), server_config(p().expired), "localhost").client,
               ErrorCode::expired);
  // Client certificate required but absent: the server refuses.
  TlsServerConfig require = server_config(p().server);
  require.client_auth = ClientAuth::require;
  require.client_anchors = copies(p().ca, server());
  std::optional<SessionPair> refused;
  HandshakeOutcome absent = run(client_config(p().ca), std::move(require), "localhost", &refused);
  EXPECT_ERROR(absent.server, ErrorCode::handshake);
  if (absent.client) {
    EXPECT_FALSE(first_read(refused->client).has_value());
  }
  // Pinned key mismatch.
  TlsClientConfig pinned = client_config(p().ca);
  pinned.pins.push_back(spki_pin(p().other_ca).value());
  EXPECT_ERROR(run(std::move(pinned), server_config(p().server), "localhost").client,
               ErrorCode::pin_mismatch);
  // And the control: everything right passes.
  HandshakeOutcome fine = run(client_config(p().ca), server_config(p().server), "localhost");
  EXPECT_OK(fine.client);
  EXPECT_OK(fine.server);
}

TEST_P(MatrixPairTest, RestrictedToOneSuiteAndGroupBothSidesAgree) {
  // A suite and a group none of the backends picks by default. (In TLS 1.2
  // the group must be the ECDSA certificate's curve too: secp256r1.)
  const bool tls13 = version() == TlsVersion::tls13;
  const uint16_t suite = tls13 ? 0x1303 : 0xC02C;
  const uint16_t group = tls13 ? 0x0018 : 0x0017;
  TlsClientConfig cc = client_config(p().ca);
  TlsServerConfig sc = server_config(p().server);
  cc.cipher_suites = sc.cipher_suites = {suite};
  cc.groups = sc.groups = {group};
  std::optional<SessionPair> pair;
  HandshakeOutcome out = run(std::move(cc), std::move(sc), "localhost", &pair);
  ASSERT_OK(out.client);
  ASSERT_OK(out.server);
  for (Session *side : {&pair->client, &pair->server}) {
    ASSERT_OK_AND_ASSIGN(SessionInfo info, side->info());
    EXPECT_EQ(info.cipher_suite, suite);
    if (info.group != 0) {
      EXPECT_EQ(info.group, group);
    }
  }
  // Nothing in common: the server says so, the client sees its alert.
  TlsClientConfig other = client_config(p().ca);
  other.cipher_suites = {tls13 ? uint16_t{0x1301} : uint16_t{0xC02B}};
  TlsServerConfig only = server_config(p().server);
  only.cipher_suites = {suite};
  HandshakeOutcome none = run(std::move(other), std::move(only), "localhost");
  EXPECT_ERROR(none.server, ErrorCode::no_shared_cipher);
  EXPECT_ERROR(none.client, ErrorCode::handshake);
}

TEST_P(MatrixPairTest, ResumesWhereBothCan) {
  for (const Backend &side : {client(), server()}) {
    if (side.supports(Capability::resumption)) continue;
    TlsClientConfig wants = client_config(p().ca);
    wants.resumption = true;
    EXPECT_ERROR(side.make_client_context(std::move(wants)), ErrorCode::unsupported);
    return;
  }
  ASSERT_OK_AND_ASSIGN(TlsContext cctx, client().make_client_context(client_config(p().ca)));
  ASSERT_OK_AND_ASSIGN(TlsContext sctx, server().make_server_context(server_config(p().server)));
  ASSERT_OK_AND_ASSIGN(SessionPair first, connect_memory(cctx, sctx, {.host = "localhost"}));
  ASSERT_TRUE(pump(first.client, first.server).both_ok());
  ASSERT_OK(transfer(first.server, first.client, bytes("ticket time")));
  ASSERT_OK(transfer(first.client, first.server, bytes("ok")));
  ASSERT_OK_AND_ASSIGN(SessionTicket ticket, first.client.export_ticket());
  ASSERT_OK_AND_ASSIGN(SessionPair second,
                       connect_memory(cctx, sctx, {.host = "localhost", .resume = &ticket}));
  HandshakeOutcome out = pump(second.client, second.server);
  ASSERT_OK(out.client);
  ASSERT_OK(out.server);
  EXPECT_TRUE(second.client.info().value().resumed);
  EXPECT_TRUE(second.server.info().value().resumed);
}

std::vector<PairParam> pair_params() {
  std::vector<PairParam> out;
  for (const std::string &s : backend_names()) {
    for (const std::string &c : backend_names()) {
      for (TlsVersion v : {TlsVersion::tls12, TlsVersion::tls13}) {
        if (supports_version(backend(s), v) && supports_version(backend(c), v)) {
          out.emplace_back(s, c, v);
        }
      }
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Pairs, MatrixPairTest, ::testing::ValuesIn(pair_params()),
                         [](const ::testing::TestParamInfo<PairParam> &p) {
                           return param_name(
                               std::get<0>(p.param) + "_to_" + std::get<1>(p.param) +
                               (std::get<2>(p.param) == TlsVersion::tls12 ? "_tls12" : "_tls13"));
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(MatrixPairTest);

// ---- no version in common ------------------------------------------------------------

// server, client, the server's only version (the client has only the other).
using VersionPair = std::tuple<std::string, std::string, TlsVersion>;
class MatrixVersionTest : public ::testing::TestWithParam<VersionPair> {};

TEST_P(MatrixVersionTest, NoCommonVersionIsProtocolVersion) {
  const Backend s = backend(std::get<0>(GetParam()));
  const Backend c = backend(std::get<1>(GetParam()));
  const TlsVersion server_version = std::get<2>(GetParam());
  const TlsVersion client_version =
      server_version == TlsVersion::tls13 ? TlsVersion::tls12 : TlsVersion::tls13;
  const test::Pki &pk = pki(s.name(), KeyType::ecdsa_p256);
  TlsServerConfig sc;
  sc.chain = copies(pk.server, s);
  sc.key = copy_key(pk.server_key, s);
  sc.min_version = sc.max_version = server_version;
  TlsClientConfig cc;
  cc.anchors = copies(pk.ca, c);
  cc.min_version = cc.max_version = client_version;
  ASSERT_OK_AND_ASSIGN(TlsContext sctx, s.make_server_context(std::move(sc)));
  ASSERT_OK_AND_ASSIGN(TlsContext cctx, c.make_client_context(std::move(cc)));
  ASSERT_OK_AND_ASSIGN(SessionPair pair, connect_memory(cctx, sctx, {.host = "localhost"}));
  HandshakeOutcome out = pump(pair.client, pair.server);
  EXPECT_ERROR(out.server, ErrorCode::protocol_version);
  EXPECT_ERROR(out.client, ErrorCode::protocol_version);
}

std::vector<VersionPair> version_pairs() {
  std::vector<VersionPair> out;
  for (const std::string &s : backend_names()) {
    for (const std::string &c : backend_names()) {
      for (TlsVersion server_only : {TlsVersion::tls12, TlsVersion::tls13}) {
        const TlsVersion client_only =
            server_only == TlsVersion::tls13 ? TlsVersion::tls12 : TlsVersion::tls13;
        if (supports_version(backend(s), server_only) &&
            supports_version(backend(c), client_only)) {
          out.emplace_back(s, c, server_only);
        }
      }
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Pairs, MatrixVersionTest, ::testing::ValuesIn(version_pairs()),
                         [](const ::testing::TestParamInfo<VersionPair> &p) {
                           return param_name(std::get<0>(p.param) + "_to_" + std::get<1>(p.param) +
                                             (std::get<2>(p.param) == TlsVersion::tls13
                                                  ? "_server13_client12"
                                                  : "_server12_client13"));
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(MatrixVersionTest);

}  // namespace
}  // namespace polytls::test
