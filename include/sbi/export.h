/* libsbi: the export macro, the only decoration on public declarations.
 *
 * Thread-safety: this header declares nothing callable. */
#ifndef SBI_EXPORT_H
#define SBI_EXPORT_H

#ifndef SBI_API
#  if defined(SBI_STATIC)
#    define SBI_API
#  elif defined(_WIN32)
#    if defined(SBI_BUILDING)
#      define SBI_API __declspec(dllexport)
#    else
#      define SBI_API __declspec(dllimport)
#    endif
#  elif defined(__GNUC__)
#    define SBI_API __attribute__((visibility("default")))
#  else
#    define SBI_API
#  endif
#endif

#endif /* SBI_EXPORT_H */
