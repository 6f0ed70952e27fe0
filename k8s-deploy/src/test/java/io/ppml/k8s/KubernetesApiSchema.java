package io.ppml.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * Validates a manifest against the Kubernetes API schema: the OpenAPI definitions of Kubernetes 1.33, as the
 * official Java client ({@code io.kubernetes:client-java-api} 25.0.0) compiles them into one model class per
 * definition. A model's {@code validateJsonElement} walks the document and rejects, at any depth, a field its
 * definition does not declare (what the API server's strict field validation, kubectl's default, rejects), a
 * missing required field, and an object, list or string where the definition expects another kind of value.
 * It does not check number ranges or the enumerations the API server enforces in code.
 *
 * <p>The model is chosen from {@code apiVersion} and {@code kind} ({@code apps/v1} + {@code Deployment} ->
 * {@code V1Deployment}); a kind without a model is a violation, so nothing passes unchecked.
 */
final class KubernetesApiSchema {
  private static final String MODELS = "io.kubernetes.client.openapi.models.";
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  private KubernetesApiSchema() {}

  /** The first violation in {@code yaml} (one document), or empty when it conforms. */
  static Optional<String> violation(String yaml) throws IOException {
    JsonNode doc = YAML.readTree(yaml);
    String apiVersion = doc.path("apiVersion").asText("");
    String kind = doc.path("kind").asText("");
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    if (version.isEmpty() || kind.isEmpty()) {
      return Optional.of("apiVersion and kind are required");
    }
    String model = MODELS + Character.toUpperCase(version.charAt(0)) + version.substring(1) + kind;
    Method validate;
    try {
      validate = Class.forName(model).getMethod("validateJsonElement", JsonElement.class);
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      return Optional.of("no API definition for " + apiVersion + " " + kind);
    }
    JsonElement json = JsonParser.parseString(JSON.writeValueAsString(doc));
    try {
      validate.invoke(null, json);
      return Optional.empty();
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException || cause instanceof IOException) {
        return Optional.of(cause.getMessage());
      }
      throw new IllegalStateException("validator of " + model + " failed", cause);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
