// polytls_engine.hpp: the Engine running cases through polytls.
#ifndef POLYTLS_BENCH_POLYTLS_ENGINE_HPP
#define POLYTLS_BENCH_POLYTLS_ENGINE_HPP

#include <memory>

#include "engine.hpp"
#include "polytls/backend.hpp"

namespace polytls::bench {

// make_polytls_engine runs cases on `backend` through the polytls API.
std::unique_ptr<Engine> make_polytls_engine(const Backend &backend);

}  // namespace polytls::bench

#endif  // POLYTLS_BENCH_POLYTLS_ENGINE_HPP
