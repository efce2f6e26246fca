// polytls/polytls.hpp: the whole public C++ API of polytls.
#ifndef POLYTLS_POLYTLS_HPP
#define POLYTLS_POLYTLS_HPP

#include "polytls/algorithms.hpp"
#include "polytls/backend.hpp"
#include "polytls/capabilities.hpp"
#include "polytls/certificate.hpp"
#include "polytls/certificate_spec.hpp"
#include "polytls/error.hpp"
#include "polytls/files.hpp"
#include "polytls/hostname.hpp"
#include "polytls/key.hpp"
#include "polytls/name.hpp"
#include "polytls/pem.hpp"
#include "polytls/registry.hpp"
#include "polytls/result.hpp"
#include "polytls/subject_alt_name.hpp"
#include "polytls/tcp.hpp"
#include "polytls/time.hpp"
#include "polytls/tls.hpp"
#include "polytls/transport.hpp"
#include "polytls/version.hpp"
#include "polytls/wire.hpp"

#endif  // POLYTLS_POLYTLS_HPP
