package io.ppml.bench.spark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.SplittableRandom;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Writes order rows that look like a retail export (ids, timestamps, names, e-mail addresses, places,
 * products, prices), about 190 bytes a row, as fast as one core allows. Deterministic for a given seed.
 */
final class CsvGenerator {
  static final StructType SCHEMA = new StructType()
      .add("order_id", DataTypes.LongType)
      .add("order_ts", DataTypes.StringType)
      .add("customer_id", DataTypes.IntegerType)
      .add("customer_name", DataTypes.StringType)
      .add("email", DataTypes.StringType)
      .add("country", DataTypes.StringType)
      .add("city", DataTypes.StringType)
      .add("product", DataTypes.StringType)
      .add("category", DataTypes.StringType)
      .add("quantity", DataTypes.IntegerType)
      .add("unit_price", DataTypes.DoubleType)
      .add("amount", DataTypes.DoubleType)
      .add("payment", DataTypes.StringType)
      .add("status", DataTypes.StringType);

  private static final String[] FIRST = {"Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah",
      "Mia", "Lucas", "Aiko", "Hiro", "Chen", "Wei", "Priya", "Arjun", "Fatima", "Omar", "Lena", "Jonas", "Ines",
      "Mateo", "Sofia", "Luca", "Zoe", "Ivan", "Olga", "Kofi", "Amara", "Sven"};
  private static final String[] LAST = {"Smith", "Johnson", "Garcia", "Muller", "Rossi", "Dubois", "Tanaka", "Wang",
      "Kumar", "Silva", "Novak", "Kowalski", "Jensen", "Haddad", "Okafor", "Nguyen", "Kim", "Lopez", "Schmidt",
      "Martin", "Brown", "Ivanova", "Petrov", "Costa", "Yilmaz", "Andersson", "Murphy", "Cohen", "Sato", "Ali"};
  private static final String[][] PLACES = {{"US", "Seattle"}, {"US", "Austin"}, {"US", "Boston"}, {"DE", "Berlin"},
      {"DE", "Munich"}, {"FR", "Lyon"}, {"FR", "Paris"}, {"GB", "Leeds"}, {"GB", "London"}, {"JP", "Osaka"},
      {"JP", "Tokyo"}, {"CN", "Shenzhen"}, {"IN", "Pune"}, {"IN", "Bengaluru"}, {"BR", "Recife"}, {"IT", "Milan"},
      {"ES", "Valencia"}, {"NL", "Utrecht"}, {"SE", "Malmo"}, {"PL", "Krakow"}, {"NG", "Lagos"}, {"KE", "Nairobi"},
      {"CA", "Toronto"}, {"AU", "Perth"}, {"MX", "Monterrey"}, {"KR", "Busan"}, {"TR", "Izmir"}, {"EG", "Cairo"}};
  private static final String[] CATEGORIES = {"electronics", "books", "garden", "toys", "grocery", "apparel",
      "sports", "beauty", "office", "kitchen"};
  private static final String[] PAYMENTS = {"card", "paypal", "bank_transfer", "gift_card", "cash_on_delivery"};
  private static final String[] STATUSES = {"delivered", "shipped", "processing", "returned", "cancelled"};
  private static final String[] DOMAINS = {"example.com", "mail.example.org", "corp.example.net"};
  private static final String[] DAYS = new String[366];

  static {
    LocalDate d = LocalDate.of(2024, 1, 1);
    for (int i = 0; i < DAYS.length; i++) {
      DAYS[i] = d.plusDays(i).toString();
    }
  }

  private CsvGenerator() {}

  /** Writes a header and rows until at least {@code targetBytes} were written; returns the row count. */
  static long write(OutputStream out, long targetBytes, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    StringBuilder line = new StringBuilder(256);
    long bytes = 0;
    long rows = 0;
    try (Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.US_ASCII), 1 << 20)) {
      String header = String.join(",", SCHEMA.fieldNames()) + "\n";
      w.write(header);
      bytes += header.length();
      while (bytes < targetBytes) {
        line.setLength(0);
        row(line, rows, random);
        w.append(line);
        bytes += line.length();
        rows++;
      }
    }
    return rows;
  }

  private static void row(StringBuilder b, long id, SplittableRandom r) {
    int customer = r.nextInt(2_000_000);
    String first = FIRST[customer % FIRST.length];
    String last = LAST[(customer / FIRST.length) % LAST.length];
    String[] place = PLACES[r.nextInt(PLACES.length)];
    int category = r.nextInt(CATEGORIES.length);
    int quantity = 1 + r.nextInt(9);
    int cents = 199 + r.nextInt(49_800);
    int seconds = r.nextInt(86_400);
    b.append(1_000_000_000L + id).append(',');
    b.append(DAYS[r.nextInt(DAYS.length)]).append(' ');
    two(b, seconds / 3600).append(':');
    two(b, seconds / 60 % 60).append(':');
    two(b, seconds % 60).append(',');
    b.append(customer).append(',');
    b.append(first).append(' ').append(last).append(',');
    b.append(first.toLowerCase()).append('.').append(last.toLowerCase()).append(customer % 1000).append('@')
        .append(DOMAINS[customer % DOMAINS.length]).append(',');
    b.append(place[0]).append(',').append(place[1]).append(',');
    b.append(CATEGORIES[category], 0, 3).append("-item-").append(r.nextInt(5000)).append(',');
    b.append(CATEGORIES[category]).append(',');
    b.append(quantity).append(',');
    money(b, cents).append(',');
    money(b, (long) cents * quantity).append(',');
    b.append(PAYMENTS[r.nextInt(PAYMENTS.length)]).append(',');
    b.append(STATUSES[r.nextInt(STATUSES.length)]).append('\n');
  }

  private static StringBuilder two(StringBuilder b, int v) {
    return b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
  }

  private static StringBuilder money(StringBuilder b, long cents) {
    b.append(cents / 100).append('.');
    return two(b, (int) (cents % 100));
  }
}
