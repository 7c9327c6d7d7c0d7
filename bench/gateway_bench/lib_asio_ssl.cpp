// Asio's SSL layer compiled once for gateway-bench (the rest of Asio is compiled in
// backends/lib_asio.cpp under BOOST_ASIO_SEPARATE_COMPILATION); only the bench speaks TLS
// through Asio, so the gateway's layers do not carry it.
#include <boost/asio/ssl/impl/src.hpp>
