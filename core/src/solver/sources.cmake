# The solver's translation units (core/src/solver/), one per concern; read by the top-level
# CMakeLists.txt (the nmfkit library) and wasm/CMakeLists.txt (its -Oz source list).
set(NMFKIT_SOLVER_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/validate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/finite.cpp
  ${CMAKE_CURRENT_LIST_DIR}/layout.cpp
  ${CMAKE_CURRENT_LIST_DIR}/init.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dense_data.cpp
  ${CMAKE_CURRENT_LIST_DIR}/csr_data.cpp
  ${CMAKE_CURRENT_LIST_DIR}/loss.cpp
  ${CMAKE_CURRENT_LIST_DIR}/step.cpp
  ${CMAKE_CURRENT_LIST_DIR}/solver.cpp)
