/**
 * Settings declared once: a {@link dev.progcache.config.Setting} names its flag, environment
 * variable and config-file key, its type and default; {@link dev.progcache.config.Config} layers
 * flag over environment over file over default. Shared by the helper's commands and {@code serve}.
 */
@NullMarked
package dev.progcache.config;

import org.jspecify.annotations.NullMarked;
