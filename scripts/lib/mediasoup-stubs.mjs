// Meson subproject stand-ins for mediasoup 3.12.16's wraps. Each one finds Debian's system library through
// pkg-config and exports the variable names worker/meson.build and deps/libwebrtc/meson.build read, so meson
// never tries to download a wrap (the network is not there on an air-gapped county intranet).
// The `*_lib` / bare-name variables are consumed with link_whole, so they must be static libraries; a one-symbol
// stub is enough because the real library arrives through the dependency.

const stubLib = (name) => `${name} = static_library('${name}_stub', 'stub.c')`;

export const SUBPROJECT_STUBS = {
  'libuv-v1.44.2': {
    build: `project('libuv', 'c', version: '1.44.2')
libuv_dep = dependency('libuv', version: '>= 1.44')
${stubLib('libuv')}
`,
    options: `option('build_tests', type: 'boolean', value: false)
option('build_benchmarks', type: 'boolean', value: false)
`,
  },
  'libsrtp-2.5.0': {
    // Debian installs srtp.h under <includedir>/srtp2, while the worker includes <srtp.h>.
    build: `project('libsrtp2', 'c', version: '2.5.0')
_srtp = dependency('libsrtp2', version: '>= 2.4')
libsrtp2_dep = declare_dependency(
  dependencies: _srtp,
  compile_args: ['-I' + _srtp.get_variable(pkgconfig: 'includedir') / 'srtp2'],
)
${stubLib('libsrtp2')}
`,
    options: `option('crypto-library', type: 'combo', choices: ['none', 'openssl', 'nss', 'mbedtls'], value: 'openssl')
option('crypto-library-kdf', type: 'feature', value: 'auto')
option('tests', type: 'feature', value: 'disabled')
`,
  },
  'usrsctp-4e06feb01cadcd127d119486b98a4bd3d64aa1e7': {
    build: `project('usrsctp', 'c')
usrsctp_dep = dependency('usrsctp')
${stubLib('usrsctp')}
`,
    options: `option('sctp_build_programs', type: 'boolean', value: false)
`,
  },
  'openssl-3.0.8': {
    build: `project('openssl', 'c', version: '3.0.8')
openssl_dep = dependency('openssl', version: '>= 3.0')
libcrypto_dep = dependency('libcrypto')
libssl_dep = dependency('libssl')
${stubLib('libcrypto_lib')}
${stubLib('libssl_lib')}
`,
  },
  'nlohmann_json-3.10.5': {
    build: `project('nlohmann_json', 'cpp')
nlohmann_json_dep = dependency('nlohmann_json')
`,
  },
  'abseil-cpp-20220623.0': {
    build: `project('abseil-cpp', ['c', 'cpp'], version: '20220623')
absl_container_dep = declare_dependency(dependencies: [
  dependency('absl_flat_hash_map'),
  dependency('absl_flat_hash_set'),
  dependency('absl_btree'),
  dependency('absl_inlined_vector'),
])
absl_strings_dep = dependency('absl_strings')
absl_types_dep = declare_dependency(dependencies: [dependency('absl_optional'), dependency('absl_memory')])
${stubLib('absl_container_lib')}
`,
  },
  'Catch2-2.13.7': {
    // Only the worker's own unit tests use Catch2; the mediasoup-worker target never links it.
    build: `project('catch2', 'cpp')
catch2_dep = declare_dependency()
`,
  },
};

export const STUB_SOURCE = 'int vj_system_library_stub(void) { return 0; }\n';
