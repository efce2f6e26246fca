// The ABI's layout is fixed: any change here is an ABI break and must bump
// POLYTLS_ABI_VERSION (appending members only grows struct_size).
#include <gtest/gtest.h>

#include <cstddef>

#include "polytls/abi/backend.h"

extern "C" {
size_t polytls_c_sizeof_backend_v1(void);
size_t polytls_c_offsetof_cert_free(void);
size_t polytls_c_sizeof_cert_request_v1(void);
size_t polytls_c_sizeof_caps_v1(void);
size_t polytls_c_sizeof_error(void);
size_t polytls_c_sizeof_tls_config_v1(void);
size_t polytls_c_offsetof_tls_config_groups(void);
}

namespace {

constexpr std::size_t kPtr = sizeof(void *);

static_assert(POLYTLS_ABI_VERSION == 1u);
static_assert(sizeof(void *) == 8, "the layout below is for LP64 targets");
// polytls_backend_v1: two uint32, name, caps, then 22 function pointers (v1).
static_assert(offsetof(polytls_backend_v1, abi_version) == 0);
static_assert(offsetof(polytls_backend_v1, struct_size) == 4);
static_assert(offsetof(polytls_backend_v1, name) == 8);
static_assert(offsetof(polytls_backend_v1, caps) == 16);
static_assert(offsetof(polytls_backend_v1, library_version) == 24);
static_assert(offsetof(polytls_backend_v1, init) == 24 + 1 * kPtr);
static_assert(offsetof(polytls_backend_v1, shutdown) == 24 + 2 * kPtr);
static_assert(offsetof(polytls_backend_v1, digest) == 24 + 3 * kPtr);
static_assert(offsetof(polytls_backend_v1, pbkdf2_hmac) == 24 + 4 * kPtr);
static_assert(offsetof(polytls_backend_v1, cipher) == 24 + 5 * kPtr);
static_assert(offsetof(polytls_backend_v1, key_generate) == 24 + 6 * kPtr);
static_assert(offsetof(polytls_backend_v1, key_import) == 24 + 7 * kPtr);
static_assert(offsetof(polytls_backend_v1, key_export) == 24 + 8 * kPtr);
static_assert(offsetof(polytls_backend_v1, key_describe) == 24 + 9 * kPtr);
static_assert(offsetof(polytls_backend_v1, key_sign) == 24 + 10 * kPtr);
static_assert(offsetof(polytls_backend_v1, key_verify) == 24 + 11 * kPtr);
static_assert(offsetof(polytls_backend_v1, key_free) == 24 + 12 * kPtr);
static_assert(offsetof(polytls_backend_v1, cert_create) == 24 + 13 * kPtr);
static_assert(offsetof(polytls_backend_v1, cert_import) == 24 + 14 * kPtr);
static_assert(offsetof(polytls_backend_v1, cert_export) == 24 + 15 * kPtr);
static_assert(offsetof(polytls_backend_v1, cert_inspect) == 24 + 16 * kPtr);
static_assert(offsetof(polytls_backend_v1, cert_public_key) == 24 + 17 * kPtr);
static_assert(offsetof(polytls_backend_v1, cert_verify) == 24 + 18 * kPtr);
static_assert(offsetof(polytls_backend_v1, cert_free) == 24 + 19 * kPtr);
// Appended: TLS sessions.
static_assert(offsetof(polytls_backend_v1, tls_context_new) == 24 + 20 * kPtr);
static_assert(offsetof(polytls_backend_v1, tls_context_free) == 24 + 21 * kPtr);
static_assert(offsetof(polytls_backend_v1, tls_session_new) == 24 + 22 * kPtr);
static_assert(offsetof(polytls_backend_v1, tls_handshake) == 24 + 23 * kPtr);
static_assert(offsetof(polytls_backend_v1, tls_read) == 24 + 24 * kPtr);
static_assert(offsetof(polytls_backend_v1, tls_write) == 24 + 25 * kPtr);
static_assert(offsetof(polytls_backend_v1, tls_close) == 24 + 26 * kPtr);
static_assert(offsetof(polytls_backend_v1, tls_describe) == 24 + 27 * kPtr);
static_assert(offsetof(polytls_backend_v1, tls_peer_chain) == 24 + 28 * kPtr);
static_assert(offsetof(polytls_backend_v1, tls_export_session) == 24 + 29 * kPtr);
static_assert(offsetof(polytls_backend_v1, tls_session_free) == 24 + 30 * kPtr);
static_assert(sizeof(polytls_backend_v1) == 24 + 31 * kPtr);
// The minimum a loader accepts ends with the certificate members: TLS is optional.
static_assert(POLYTLS_BACKEND_V1_MIN_SIZE == offsetof(polytls_backend_v1, tls_context_new));

static_assert(sizeof(polytls_error) == 272);
static_assert(offsetof(polytls_error, library_code) == 8);
static_assert(offsetof(polytls_error, detail) == 16);
static_assert(sizeof(polytls_caps_v1) == 56);
static_assert(offsetof(polytls_caps_v1, features) == 8);
static_assert(offsetof(polytls_caps_v1, library_name) == 40);
static_assert(sizeof(polytls_key_spec) == 16);
static_assert(sizeof(polytls_key_info) == 24);
static_assert(sizeof(polytls_data) == 16);
static_assert(sizeof(polytls_sink) == 16);
static_assert(sizeof(polytls_cert_field) == 32);
static_assert(sizeof(polytls_name_attr) == 24);
static_assert(sizeof(polytls_san) == 24);
static_assert(sizeof(polytls_verify_request_v1) == 48);
static_assert(sizeof(polytls_cert_request_v1) == 240);
static_assert(offsetof(polytls_cert_request_v1, subject) == 32);
static_assert(offsetof(polytls_cert_request_v1, serial) == 80);
static_assert(offsetof(polytls_cert_request_v1, is_ca) == 144);
static_assert(offsetof(polytls_cert_request_v1, sans) == 176);
static_assert(offsetof(polytls_cert_request_v1, authority_key_id) == 224);
static_assert(sizeof(polytls_transport) == 24);
static_assert(sizeof(polytls_tls_config_v1) == 128);
static_assert(offsetof(polytls_tls_config_v1, chain) == 16);
static_assert(offsetof(polytls_tls_config_v1, verify_peer) == 56);
static_assert(offsetof(polytls_tls_config_v1, alpn) == 64);
static_assert(offsetof(polytls_tls_config_v1, keylog) == 80);
static_assert(offsetof(polytls_tls_config_v1, keylog_user) == 88);
// Appended: cipher suite and group selection (POLYTLS_FEATURE_TLS_SELECT).
static_assert(offsetof(polytls_tls_config_v1, cipher_suites) == 96);
static_assert(offsetof(polytls_tls_config_v1, groups) == 112);
static_assert(sizeof(polytls_tls_session_params_v1) == 80);
static_assert(offsetof(polytls_tls_session_params_v1, transport) == 8);
static_assert(offsetof(polytls_tls_session_params_v1, server_name) == 32);
static_assert(offsetof(polytls_tls_session_params_v1, peer_check) == 64);
static_assert(sizeof(polytls_tls_info_v1) == 56);
static_assert(offsetof(polytls_tls_info_v1, alpn) == 24);

// Status values are part of the ABI and never renumbered.
// Feature bits are part of the ABI too.
static_assert(POLYTLS_FEATURE_CLIENT_AUTH == (1ull << 23) &&
              POLYTLS_FEATURE_TLS_SELECT == (1ull << 24));

static_assert(POLYTLS_OK == 0 && POLYTLS_ERR_UNSUPPORTED == 1 && POLYTLS_ERR_INTERNAL == 16 &&
              POLYTLS_ERR_PLUGIN == 22);

TEST(AbiLayout, CAndCppAgree) {
  EXPECT_EQ(polytls_c_sizeof_backend_v1(), sizeof(polytls_backend_v1));
  EXPECT_EQ(polytls_c_offsetof_cert_free(), offsetof(polytls_backend_v1, cert_free));
  EXPECT_EQ(polytls_c_sizeof_cert_request_v1(), sizeof(polytls_cert_request_v1));
  EXPECT_EQ(polytls_c_sizeof_caps_v1(), sizeof(polytls_caps_v1));
  EXPECT_EQ(polytls_c_sizeof_error(), sizeof(polytls_error));
  EXPECT_EQ(polytls_c_sizeof_tls_config_v1(), sizeof(polytls_tls_config_v1));
  EXPECT_EQ(polytls_c_offsetof_tls_config_groups(), offsetof(polytls_tls_config_v1, groups));
}

}  // namespace
