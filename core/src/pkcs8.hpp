// pkcs8.hpp: private-key containers, written once for every backend:
// recognising key DER, wrapping PKCS#1/SEC1 keys into PKCS#8 (for libraries
// that write only those), and PBES2 encryption built on a backend's
// PBKDF2 and AES-CBC primitives (for libraries that cannot do it).
#ifndef POLYTLS_CORE_PKCS8_HPP
#define POLYTLS_CORE_PKCS8_HPP

#include <cstdint>
#include <string_view>

#include "backend_state.hpp"
#include "der.hpp"
#include "polytls/algorithms.hpp"
#include "polytls/kit/backend_kit.hpp"

namespace polytls::detail {

// classify_key_der recognises PKCS8, PKCS8_ENCRYPTED, TRADITIONAL or SPKI
// (POLYTLS_KEY_FORMAT_*) from the structure of `der`; anything else is `bad_input`.
Result<uint32_t> classify_key_der(der::View der);

// wrap_pkcs8 wraps a PKCS#1 RSAPrivateKey or SEC1 ECPrivateKey into a
// PrivateKeyInfo for `algorithm` (RSA or EC with `curve`).
Result<kit::SecretBytes> wrap_pkcs8(der::View traditional, KeyAlgorithm algorithm, EcCurve curve);

// kPbes2Iterations is the PBKDF2 iteration count the core writes.
inline constexpr uint32_t kPbes2Iterations = 100000;
// kPbes2MaxIterations bounds what the core will run on a file it reads.
inline constexpr uint64_t kPbes2MaxIterations = 10000000;

// pbes2_encrypt encrypts a PrivateKeyInfo into an EncryptedPrivateKeyInfo
// with PBES2: PBKDF2-HMAC-SHA256 (random 16-byte salt, kPbes2Iterations)
// and AES-256-CBC, through `backend`'s primitives.
Result<der::Bytes> pbes2_encrypt(const BackendState &backend, der::View private_key_info,
                                 std::string_view passphrase);

// pbes2_decrypt decrypts an EncryptedPrivateKeyInfo using PBES2 with PBKDF2
// (HMAC-SHA1/256/384/512) and AES-128/192/256-CBC or DES-EDE3-CBC. A
// padding failure is `bad_passphrase`; other schemes are `unsupported`.
Result<kit::SecretBytes> pbes2_decrypt(const BackendState &backend, der::View encrypted,
                                       std::string_view passphrase);

}  // namespace polytls::detail

#endif  // POLYTLS_CORE_PKCS8_HPP
